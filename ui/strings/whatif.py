"""What-if page texts (SPEC §6): levers, results, solver, scenarios, formulas in plain words."""

EN = {
    "whatif.title": "What-if",
    "whatif.intro": (
        "A monthly model, whatever the sidebar period: the baseline comes from the last {months} complete months "
        "up to {last}, on the full history of the chosen segments (the sidebar date range does not apply). "
        "Move a lever and everything below updates."
    ),
    "whatif.current": "Current levers",
    "whatif.crr": "CRR change, points",
    "whatif.pp_format": "%+.1f pp",
    "whatif.crr_base": "Baseline CRR {crr_b} → scenario {crr_s} (≈ {customers_kept_extra_s} more customers kept a month)",
    "whatif.aov": "Average order value change",
    "whatif.aov_base": "Baseline AOV {aov_b} → {aov_s}",
    "whatif.freq": "Purchase frequency change",
    "whatif.freq_base": "Baseline {purchase_frequency_b} orders per active customer a month → {purchase_frequency_s}",
    "whatif.horizon": "Horizon, months",
    "whatif.horizon_base": "Projected from {first}",
    "whatif.new": "New customers per month",
    "whatif.new_placeholder": "as now: {new_customers_b}",
    "whatif.new_base": "Baseline {new_customers_b} a month (average of {months} months); empty = as now",
    "whatif.margin": "Gross margin",
    "whatif.margin_base": "Your input: the data has no costs",
    "whatif.cac": "CAC: cost to acquire a customer",
    "whatif.cac_base": "Your input; used to compare with acquisition",
    "whatif.cost": "Retention cost per kept customer a month",
    "whatif.cost_base": "Your input; break-even at these levers: {even}",
    "whatif.results": "Scenario vs baseline over {months} months",
    "whatif.diff_cumulative_revenue": "Revenue difference",
    "whatif.diff_cumulative_gross_profit": "Gross profit difference",
    "whatif.diff_active_customers_end": "Extra customers at end",
    "whatif.diff_help": "Scenario − baseline: {scen} vs {base} (sums over the horizon; customers in its last month).",
    "whatif.roi": "Programme ROI",
    "whatif.roi_help": (
        "(Scenario gross profit − baseline gross profit) ÷ programme cost, over the horizon. Programme cost: {cost}. "
        "Empty while the programme costs nothing."
    ),
    "whatif.limits": (
        "A projection from the averages of the last {months} complete months, not a forecast with guarantees. "
        "The shaded band is the same levers at the lowest ({low}) and highest ({high}) monthly CRR of the last "
        "{band} complete months; real months can fall outside it."
    ),
    "whatif.baseline": "Baseline",
    "whatif.scenario": "Scenario",
    "whatif.band": "Range of recent CRR",
    "whatif.chart_customers": "Customers",
    "whatif.chart_revenue": "Revenue",
    "whatif.chart_profit": "Cumulative gross profit",
    "whatif.y_active_customers": "Active customers",
    "whatif.y_revenue": "Revenue a month",
    "whatif.y_cumulative_gross_profit": "Gross profit, cumulative",
    "whatif.y_cumulative_revenue": "Revenue over the horizon",
    "whatif.download_projection": "Download the projection (CSV)",
    "whatif.nudge_crr": "CRR ±1 point",
    "whatif.nudge_aov": "AOV ±5%",
    "whatif.nudge_frequency": "Frequency ±5%",
    "whatif.lower": "Lower",
    "whatif.higher": "Higher",
    "whatif.tornado": "What moves the result most",
    "whatif.tornado_x": "Change in gross profit over {months} months",
    "whatif.solver": "Which CRR reaches a target?",
    "whatif.target_metric": "Target",
    "whatif.metric_revenue": "Revenue",
    "whatif.metric_gross_profit": "Gross profit",
    "whatif.target_basis": "Measured",
    "whatif.basis_month": "in month M",
    "whatif.basis_cumulative": "in total, months 1…M",
    "whatif.target_month": "Month M",
    "whatif.target": "Target amount",
    "whatif.target_placeholder": "type a number",
    "whatif.what_revenue_month": "revenue in month {month}",
    "whatif.what_revenue_cumulative": "revenue over months 1–{month}",
    "whatif.what_gross_profit_month": "gross profit in month {month}",
    "whatif.what_gross_profit_cumulative": "gross profit over months 1–{month}",
    "whatif.target_hint": "At the current levers, {what} is {now}. Type a target to see the CRR it needs.",
    "whatif.solved": (
        "To reach {target} of {what}, CRR must be **{crr}** ({delta} vs the baseline {base}); at the current "
        "levers it would be {now}. That means keeping (or winning back) about **{kept} more customers a month**. "
        "The other levers stay as set."
    ),
    "whatif.apply": "Put this CRR on the lever",
    "whatif.unreachable_above_full_retention": (
        "{target} of {what} is not reachable by retention alone: even keeping every customer gives {full}. "
        "Add new customers, AOV or frequency, or move the month later."
    ),
    "whatif.unreachable_cost_exceeds_customer_profit": (
        "{target} of {what} is not reachable by more retention: the programme costs more per kept customer than "
        "that customer's monthly gross profit, so keeping more lowers profit. Lower the retention cost."
    ),
    "whatif.at_risk_hook": (
        "Who to keep: the customers at risk are listed on the Customer value page."
    ),
    "whatif.worth_it": "Is the retention spend worth it?",
    "whatif.break_even": "Break-even retention cost",
    "whatif.break_even_help": (
        "The most the programme may cost per kept customer a month over the horizon without lowering gross "
        "profit: margin × extra revenue ÷ customers kept."
    ),
    "whatif.acq_customers": "Customers to buy instead",
    "whatif.acq_customers_help": (
        "Acquisition matching the scenario: {per_month} extra new customers a month (they churn at the baseline "
        "rate) leave the same {gap} extra customers at the end of the horizon."
    ),
    "whatif.acq_cost": "Their cost at CAC",
    "whatif.acq_cost_help": "New customers to buy × CAC.",
    "whatif.programme_cost": "Retention programme cost",
    "whatif.programme_cost_help": "Retention cost × customers kept from the previous month, summed over the horizon.",
    "whatif.pays_yes": "At {cost} per kept customer a month the programme **pays for itself** (break-even {even}).",
    "whatif.pays_no": "At {cost} per kept customer a month the programme **costs more than it earns** (break-even {even}).",
    "whatif.verdict_inputs": "Enter a retention cost and a CAC above to compare retention with acquisition.",
    "whatif.verdict_no_gain": "This scenario adds no customers over the baseline, so there is nothing to buy instead.",
    "whatif.verdict_retention": (
        "**Retention is cheaper.** Keeping customers costs {prog} over {months} months; buying {bought} new "
        "customers at {cac} each to end with the same {gap} extra customers would cost {acq}."
    ),
    "whatif.verdict_acquisition": (
        "**Acquisition is cheaper.** Buying {bought} new customers at {cac} each ({acq}) ends with the same {gap} "
        "extra customers as the programme, which costs {prog} over {months} months."
    ),
    "whatif.verdict_same": "**Both cost the same**: {prog} for the programme, {acq} for {bought} new customers.",
    "whatif.default_name": "Scenario {n}",
    "whatif.scenarios": "Named scenarios",
    "whatif.name": "Scenario name",
    "whatif.name_placeholder": "e.g. Loyalty programme",
    "whatif.save": "Save scenario",
    "whatif.no_scenarios": "No saved scenarios yet. Set the levers, name them and save; they stay in the link.",
    "whatif.saved": "Saved scenario",
    "whatif.load": "Load",
    "whatif.delete": "Delete",
    "whatif.as_baseline": "as now",
    "whatif.col_name": "Scenario",
    "whatif.col_horizon": "Months",
    "whatif.col_crr_delta": "CRR change",
    "whatif.col_aov_change": "AOV change",
    "whatif.col_frequency_change": "Frequency change",
    "whatif.col_new_customers": "New a month",
    "whatif.col_margin": "Margin",
    "whatif.col_retention_cost": "Retention cost",
    "whatif.col_cac": "CAC",
    "whatif.col_active_customers_end_difference": "Customers at the end, Δ",
    "whatif.col_cumulative_revenue_difference": "Revenue, Δ",
    "whatif.col_cumulative_gross_profit_difference": "Gross profit, Δ",
    "whatif.col_programme_cost": "Programme cost",
    "whatif.col_roi": "ROI",
    "whatif.how": "How this is computed",
    "whatif.formulas": """**Measured from your data (baseline)**, the last {months} complete months up to {last}:
- Customers active now: **{active_customers}**, the customers with an order in the last complete month.
- New customers a month: **{new_customers_b}** on average (scenario: {new_customers_s}).
- CRR, the customer retention rate = (customers at the end of a month − new customers of that month) ÷ \
customers at its start. Average: **{crr_b}**; lowest and highest of the last {band} months: {low} and {high}.
- Purchase frequency = orders ÷ active customers, a month: **{purchase_frequency_b}** (scenario {purchase_frequency_s}).
- AOV, average order value = revenue ÷ orders: **{aov_b}** (scenario {aov_s}).

**Your inputs:** margin {margin_b}, CAC {cac_b}, retention cost {retention_cost_s} per kept customer a month.

**The model, month by month**
1. Customers: active this month = active last month × keep rate + new customers. Keep rate = CRR + your \
change, held between 0% and 100%: baseline **{keep_rate_b}**, scenario **{keep_rate_s}**. CRR counts returning \
customers as kept and can pass 100%; the model stops at 100% ("nobody is lost").
2. Orders = active customers × purchase frequency; revenue = orders × AOV.
3. Programme cost = retention cost × customers kept from last month; the baseline pays none.
4. Gross profit = revenue × margin − programme cost.
5. Differences = scenario − baseline, summed over the horizon (customers: in its last month).
6. ROI = (scenario gross profit − baseline gross profit) ÷ programme cost, over the horizon.

**The questions**
- Required CRR: the lowest CRR at which the target is met by month M, found by trial with the other levers as set.
- Customers to keep a month = (target CRR − CRR now) × customers active now.
- Break-even retention cost = margin × extra revenue ÷ customers kept, over the horizon.
- Acquisition instead: extra new customers a month that leave as many customers at the end of the horizon \
(they churn at the baseline rate), × months × CAC.
- What moves the result most: the scenario re-run with CRR ±1 point, AOV ±5%, frequency ±5%.

**Limits.** A projection from recent averages, not a forecast with guarantees: seasonality, price changes and \
one-off campaigns are not in the model. The shaded band shows what the CRR of the last {band} months, from \
{low} to {high}, would give.""",
}

RU = {
    "whatif.title": "Что если",
    "whatif.intro": (
        "Помесячная модель при любом периоде в боковой панели: база — последние {months} полных месяцев по "
        "{last}, по всей истории выбранных сегментов (диапазон дат не применяется). Сдвиньте рычаг — всё ниже "
        "пересчитается."
    ),
    "whatif.current": "Текущие рычаги",
    "whatif.crr": "Изменение CRR, п.п.",
    "whatif.pp_format": "%+.1f п.п.",
    "whatif.crr_base": "Сейчас CRR {crr_b} → в сценарии {crr_s} (≈ на {customers_kept_extra_s} больше удержанных клиентов в месяц)",
    "whatif.aov": "Изменение среднего чека",
    "whatif.aov_base": "Сейчас средний чек {aov_b} → {aov_s}",
    "whatif.freq": "Изменение частоты покупок",
    "whatif.freq_base": "Сейчас {purchase_frequency_b} заказа на активного клиента в месяц → {purchase_frequency_s}",
    "whatif.horizon": "Горизонт, месяцев",
    "whatif.horizon_base": "Прогноз с {first}",
    "whatif.new": "Новых клиентов в месяц",
    "whatif.new_placeholder": "как сейчас: {new_customers_b}",
    "whatif.new_base": "Сейчас {new_customers_b} в месяц (среднее за {months} мес.); пусто = как сейчас",
    "whatif.margin": "Валовая маржа",
    "whatif.margin_base": "Вводите сами: в данных нет затрат",
    "whatif.cac": "CAC: стоимость привлечения клиента",
    "whatif.cac_base": "Вводите сами; нужна для сравнения с привлечением",
    "whatif.cost": "Затраты на удержание одного клиента в месяц",
    "whatif.cost_base": "Вводите сами; безубыточно при этих рычагах до {even}",
    "whatif.results": "Сценарий против базы за {months} мес.",
    "whatif.diff_cumulative_revenue": "Выручка: разница",
    "whatif.diff_cumulative_gross_profit": "Прибыль: разница",
    "whatif.diff_active_customers_end": "Клиенты: разница",
    "whatif.diff_help": (
        "Сценарий − база: {scen} против {base} (суммы за горизонт, прибыль валовая; клиенты — в последнем месяце)."
    ),
    "whatif.roi": "ROI программы",
    "whatif.roi_help": (
        "(Валовая прибыль сценария − валовая прибыль базы) ÷ затраты на программу, за горизонт. Затраты: {cost}. "
        "Пусто, пока программа ничего не стоит."
    ),
    "whatif.limits": (
        "Это расчёт по средним за последние {months} полных месяцев, а не прогноз с гарантиями. Закрашенная "
        "полоса — те же рычаги при самом низком ({low}) и самом высоком ({high}) месячном CRR за последние "
        "{band} полных месяцев; реальные месяцы могут выйти за неё."
    ),
    "whatif.baseline": "База",
    "whatif.scenario": "Сценарий",
    "whatif.band": "Разброс недавнего CRR",
    "whatif.chart_customers": "Клиенты",
    "whatif.chart_revenue": "Выручка",
    "whatif.chart_profit": "Валовая прибыль нарастающим итогом",
    "whatif.y_active_customers": "Активные клиенты",
    "whatif.y_revenue": "Выручка в месяц",
    "whatif.y_cumulative_gross_profit": "Валовая прибыль, нарастающим итогом",
    "whatif.y_cumulative_revenue": "Выручка за горизонт",
    "whatif.download_projection": "Скачать расчёт (CSV)",
    "whatif.nudge_crr": "CRR ±1 п.п.",
    "whatif.nudge_aov": "Средний чек ±5 %",
    "whatif.nudge_frequency": "Частота ±5 %",
    "whatif.lower": "Ниже",
    "whatif.higher": "Выше",
    "whatif.tornado": "Что сильнее всего влияет на результат",
    "whatif.tornado_x": "Изменение валовой прибыли за {months} мес.",
    "whatif.solver": "Какой CRR нужен для цели?",
    "whatif.target_metric": "Цель",
    "whatif.metric_revenue": "Выручка",
    "whatif.metric_gross_profit": "Валовая прибыль",
    "whatif.target_basis": "Считать",
    "whatif.basis_month": "в месяце M",
    "whatif.basis_cumulative": "всего за месяцы 1…M",
    "whatif.target_month": "Месяц M",
    "whatif.target": "Целевая сумма",
    "whatif.target_placeholder": "введите число",
    "whatif.what_revenue_month": "выручки в месяце {month}",
    "whatif.what_revenue_cumulative": "выручки за месяцы 1–{month}",
    "whatif.what_gross_profit_month": "валовой прибыли в месяце {month}",
    "whatif.what_gross_profit_cumulative": "валовой прибыли за месяцы 1–{month}",
    "whatif.target_hint": "При текущих рычагах величина {what}: {now}. Введите цель, чтобы увидеть нужный CRR.",
    "whatif.solved": (
        "Чтобы получить {target} {what}, CRR должен быть **{crr}** ({delta} к базе {base}); при текущих "
        "рычагах было бы {now}. Это значит удерживать (или возвращать) примерно на **{kept} клиентов в месяц "
        "больше**. Остальные рычаги — как выставлены."
    ),
    "whatif.apply": "Поставить этот CRR на рычаг",
    "whatif.unreachable_above_full_retention": (
        "{target} {what} не достичь одним удержанием: даже если удержать всех клиентов, будет {full}. "
        "Добавьте новых клиентов, средний чек или частоту либо сдвиньте месяц позже."
    ),
    "whatif.unreachable_cost_exceeds_customer_profit": (
        "{target} {what} не достичь ростом удержания: программа стоит дороже, чем валовая прибыль от "
        "удержанного клиента за месяц, и каждый удержанный снижает прибыль. Уменьшите затраты на удержание."
    ),
    "whatif.at_risk_hook": "Кого удерживать: клиенты под угрозой ухода — на странице «Ценность клиентов».",
    "whatif.worth_it": "Окупаются ли затраты на удержание?",
    "whatif.break_even": "Порог окупаемости",
    "whatif.break_even_help": (
        "Безубыточные затраты на удержание: сколько программа может стоить на удержанного клиента в месяц "
        "за горизонт, не снижая валовую прибыль: маржа × дополнительная выручка ÷ число удержанных."
    ),
    "whatif.acq_customers": "Купить клиентов",
    "whatif.acq_customers_help": (
        "Новых клиентов купить вместо удержания: {per_month} дополнительных новых клиентов в месяц (уходят как "
        "в базе) дают те же {gap} лишних клиентов на конец горизонта."
    ),
    "whatif.acq_cost": "Их стоимость по CAC",
    "whatif.acq_cost_help": "Новые клиенты × CAC.",
    "whatif.programme_cost": "Стоимость программы",
    "whatif.programme_cost_help": "Затраты на удержание × клиенты, удержанные с прошлого месяца, сумма за горизонт.",
    "whatif.pays_yes": "При {cost} на удержанного клиента в месяц программа **окупается** (безубыточно до {even}).",
    "whatif.pays_no": "При {cost} на удержанного клиента в месяц программа **стоит больше, чем приносит** (безубыточно до {even}).",
    "whatif.verdict_inputs": "Введите выше затраты на удержание и CAC, чтобы сравнить удержание с привлечением.",
    "whatif.verdict_no_gain": "Сценарий не добавляет клиентов к базе, поэтому покупать взамен нечего.",
    "whatif.verdict_retention": (
        "**Удержание дешевле.** Удержание стоит {prog} за {months} мес.; купить {bought} новых клиентов по {cac}, "
        "чтобы закончить с теми же {gap} лишними клиентами, стоило бы {acq}."
    ),
    "whatif.verdict_acquisition": (
        "**Привлечение дешевле.** {bought} новых клиентов по {cac} ({acq}) дают те же {gap} лишних клиентов "
        "на конец, что и программа, которая стоит {prog} за {months} мес."
    ),
    "whatif.verdict_same": "**Стоят одинаково**: программа {prog}, {bought} новых клиентов — {acq}.",
    "whatif.default_name": "Сценарий {n}",
    "whatif.scenarios": "Именованные сценарии",
    "whatif.name": "Название сценария",
    "whatif.name_placeholder": "например, Программа лояльности",
    "whatif.save": "Сохранить",
    "whatif.no_scenarios": "Сохранённых сценариев пока нет. Выставьте рычаги, назовите и сохраните — они останутся в ссылке.",
    "whatif.saved": "Сохранённый сценарий",
    "whatif.load": "Открыть",
    "whatif.delete": "Удалить",
    "whatif.as_baseline": "как сейчас",
    "whatif.col_name": "Сценарий",
    "whatif.col_horizon": "Месяцев",
    "whatif.col_crr_delta": "Изменение CRR",
    "whatif.col_aov_change": "Изменение чека",
    "whatif.col_frequency_change": "Изменение частоты",
    "whatif.col_new_customers": "Новых в месяц",
    "whatif.col_margin": "Маржа",
    "whatif.col_retention_cost": "Затраты на удержание",
    "whatif.col_cac": "CAC",
    "whatif.col_active_customers_end_difference": "Клиенты на конец, Δ",
    "whatif.col_cumulative_revenue_difference": "Выручка, Δ",
    "whatif.col_cumulative_gross_profit_difference": "Валовая прибыль, Δ",
    "whatif.col_programme_cost": "Затраты на программу",
    "whatif.col_roi": "ROI",
    "whatif.how": "Как это считается",
    "whatif.formulas": """**Из ваших данных (база)**, последние {months} полных месяцев по {last}:
- Активных клиентов сейчас: **{active_customers}** — клиенты с заказом в последнем полном месяце.
- Новых клиентов в месяц: в среднем **{new_customers_b}** (в сценарии: {new_customers_s}).
- CRR, коэффициент удержания клиентов = (клиенты на конец месяца − новые клиенты этого месяца) ÷ клиенты \
на его начало. Среднее: **{crr_b}**; самый низкий и самый высокий за последние {band} мес.: {low} и {high}.
- Частота покупок = заказы ÷ активные клиенты, за месяц: **{purchase_frequency_b}** (в сценарии {purchase_frequency_s}).
- Средний чек = выручка ÷ заказы: **{aov_b}** (в сценарии {aov_s}).

**Вводите вы:** маржа {margin_b}, CAC {cac_b}, затраты на удержание {retention_cost_s} на удержанного клиента в месяц.

**Модель, месяц за месяцем**
1. Клиенты: активные в этом месяце = активные в прошлом × доля удержания + новые клиенты. Доля удержания = \
CRR + ваше изменение, в пределах от 0 % до 100 %: база **{keep_rate_b}**, сценарий **{keep_rate_s}**. CRR считает \
вернувшихся клиентов удержанными и может быть больше 100 %; модель останавливается на 100 % («никто не уходит»).
2. Заказы = активные клиенты × частота покупок; выручка = заказы × средний чек.
3. Затраты на программу = затраты на удержание × клиенты, удержанные с прошлого месяца; в базе затрат нет.
4. Валовая прибыль = выручка × маржа − затраты на программу.
5. Разница = сценарий − база, сумма за горизонт (клиенты — в его последнем месяце).
6. ROI = (валовая прибыль сценария − валовая прибыль базы) ÷ затраты на программу, за горизонт.

**Вопросы**
- Нужный CRR: самый низкий CRR, при котором цель достигается к месяцу M; ищется подбором при остальных \
рычагах как выставлены.
- Сколько клиентов удерживать в месяц = (целевой CRR − CRR сейчас) × активные клиенты сейчас.
- Безубыточные затраты на удержание = маржа × дополнительная выручка ÷ число удержанных, за горизонт.
- Привлечение вместо удержания: дополнительные новые клиенты в месяц, которые дают столько же клиентов на \
конец горизонта (уходят как в базе), × месяцы × CAC.
- Что сильнее влияет: сценарий пересчитан с CRR ±1 п.п., средним чеком ±5 %, частотой ±5 %.

**Ограничения.** Это расчёт по недавним средним, а не прогноз с гарантиями: сезонность, изменения цен и \
разовые акции в модели не учтены. Закрашенная полоса показывает, что дал бы CRR последних {band} мес. — от \
{low} до {high}.""",
}
