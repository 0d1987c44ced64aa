"""Customer value page texts: the three LTVs, the model check, Pareto, RFM segments, lists to act on."""

EN = {
    "value.title": "Customer value",
    "value.intro": (
        "Computed on the orders from {first} to {last} (the sidebar's filters). Money is net of refunds; "
        "hover over a tile or a question mark for how each number is made."
    ),
    "value.fitting": "Fitting the purchase and spend models…",
    # Settings
    "value.cal_end": "Check: calibrate to",
    "value.cal_end_help": (
        "The model is fitted again on the orders up to this day and asked to predict the repeat purchases after "
        "it, which we know. Empty = automatic: the last order day minus half a year (or minus half the data's "
        "span when it covers less than a year). The last order day itself = no check. The numbers of the tiles, "
        "lists and charts always come from the model fitted on all orders."
    ),
    "value.time_unit": "Model time unit",
    "value.time_unit_help": (
        "Unit in which the model measures time (recency, customer age, purchase rate). The predictions hardly "
        "depend on it; it sets the unit of the P(alive) chart and of the purchase-rate parameter."
    ),
    "value.unit.day": "Day",
    "value.unit.week": "Week",
    "value.unit.month": "Month",
    "value.units.day": "Days",
    "value.units.week": "Weeks",
    "value.units.month": "Months",
    "value.horizon": "Horizon, months",
    "value.horizon_help": "How many months of future purchases the predictive CLV counts.",
    "value.discount": "Discount rate, % a year",
    "value.discount_help": (
        "Money later is worth less than money now. The annual rate is turned into a monthly one, "
        "(1 + annual)^(1/12) − 1, and each future month's value is divided by (1 + monthly)^month."
    ),
    "value.margin": "Gross margin, %",
    "value.margin_help": (
        "Share of revenue you keep after the cost of goods. Applied to all three LTVs; 100% shows revenue, "
        "less shows profit per customer."
    ),
    # The three LTVs
    "value.historical": "Historical LTV",
    "value.historical_help": (
        "What customers have been worth so far: net revenue of all customers (refunds subtracted) / number of "
        "customers × margin. It grows as customers age; young customers pull it down."
    ),
    "value.historical_caption": "Mean over {customers} customers up to {day}, × margin {margin}.",
    "value.formula": "Formula LTV",
    "value.formula_help": (
        "The owner's rule of thumb: AOV × orders per active customer per month × expected lifetime in months × "
        "margin, with lifetime = 1 / monthly churn rate. Churn counts everyone without an order in a month as "
        "lost, so for shops where people buy every few months the lifetime, and this LTV, come out short."
    ),
    "value.formula_caption": (
        "AOV {aov} × {frequency} orders a month × {lifetime} months (1 / churn {churn}) × margin {margin}; "
        "means over the complete months {first} … {last}."
    ),
    "value.formula_missing": "Not available: {reason}",
    "value.reason.span": (
        "the orders cover {days} days; the purchase model needs at least {needed} to see customers stop buying "
        "(on fewer days it predicts far too much). Widen the date range or choose a later calibration end."
    ),
    "value.reason.repeat": (
        "only {found} of {customers} customers bought on two or more days; the purchase model needs at least "
        "{needed}. Use a longer period of data or a later calibration end."
    ),
    "value.reason.spenders": (
        "only {found} customers have a repeat purchase with a positive spend; the spend model needs at least "
        "{needed}."
    ),
    "value.reason.spend": "spend differs too much between customers for the spend model to have a mean (q ≤ 1).",
    "value.reason.formula": (
        "the formula needs a monthly churn rate, so at least one complete calendar month after the first month "
        "of the data. Widen the date range."
    ),
    "value.predictive": "Predictive CLV, {h} months",
    "value.predictive_help": (
        "What today's customers are expected to bring in the next months: for each customer, expected purchases "
        "(BG/NBD model: how often they buy and the chance they have already left) × expected spend per purchase "
        "(Gamma-Gamma model), discounted month by month, × margin; the tile shows the mean per customer."
    ),
    "value.predictive_caption": (
        "All customers together: {total} over {h} months; discounted at {annual} a year ({monthly} a month), "
        "× margin {margin}."
    ),
    "value.predictive_missing": "Not available: see the message below.",
    "value.fallback": (
        "The predictive model could not be fitted on this data, so the page shows the historical and formula LTV "
        "only and lists customers at risk by the time since their last order. Reason: {reason}"
    ),
    "value.historical_distribution": "How historical LTV is spread over customers",
    "value.statistic.mean": "Mean",
    "value.statistic.p10": "10% of customers have at most",
    "value.statistic.p25": "25% of customers have at most",
    "value.statistic.median": "Median (half have at most)",
    "value.statistic.p75": "75% of customers have at most",
    "value.statistic.p90": "90% of customers have at most",
    "value.statistic.max": "Largest",
    "value.revenue_per_customer": "Net revenue per customer",
    # Holdout check
    "value.holdout": "Does the model predict? Holdout check",
    "value.holdout_chart": "Repeat purchases in the holdout period: predicted and actual, by past frequency",
    "value.holdout_caption": (
        "The model was fitted on the orders of {customers} customers up to {cal}{automatic} and predicted their "
        "repeat purchases from the next day to {end}; these are compared with what they really bought. A purchase "
        "is a day with at least one order."
    ),
    "value.automatic": " (automatic: the last order day − half a year, or − half the data's span when it is shorter than a year)",
    "value.no_holdout": (
        "No check: the calibration ends on the last order day {day}. Choose an earlier day above to see how well "
        "the model predicts."
    ),
    "value.holdout_failed": "The check could not be made on the calibration period: {reason}",
    "value.holdout_no_model": "No check: the model could not be fitted (see the message above).",
    "value.actual": "Actual repeat purchases",
    "value.actual_help": "Purchase days of the calibration customers after the calibration end, counted in the data.",
    "value.predicted": "Predicted repeat purchases",
    "value.predicted_help": "Sum over the same customers of the BG/NBD expected number of purchases in the holdout period.",
    "value.difference": "Prediction error",
    "value.difference_help": "Predicted / actual − 1: + means the model expected more purchases than happened.",
    "value.measure": "Bars show",
    "value.measure.mean": "Purchases per customer",
    "value.measure.total": "Purchases in total",
    # Model outputs
    "value.model": "Predicted value of each customer",
    "value.clv_axis": "Predicted CLV over {h} months",
    "value.clv_caption": (
        "Customers by predicted CLV; the last bar also holds the top 1%. Most customers are worth little, "
        "a few a lot."
    ),
    "value.since_last": "{units} since the last purchase",
    "value.p_alive_caption": (
        "P(alive): the chance a customer still buys from you, from their own rhythm. It falls the longer they are "
        "silent, faster for customers who used to buy often (darker points = more repeat purchases). In this model "
        "a customer with a single purchase has never had the chance to leave after a repeat one, so their "
        "P(alive) is 1: the line at the top."
    ),
    "value.download_predictions": "Download every customer's prediction (CSV)",
    "value.parameters": "Model parameters, in plain words",
    "value.param.r": "Shape of how purchase rates differ between customers: below 1, a few customers buy far more often than most.",
    "value.param.alpha": "Scale of the purchase rates (in {unit}s); with r it gives the mean rate below.",
    "value.param.a": "With b: how the chance of leaving after a purchase differs between customers.",
    "value.param.b": "With a: the larger b compared with a, the more loyal customers are.",
    "value.param.purchase_rate": "Mean purchases per {unit} while a customer is still active.",
    "value.param.dropout_probability": "Mean chance that a customer leaves for good after a purchase.",
    "value.param.p": "Shape of the spend of one purchase around a customer's own average.",
    "value.param.q": "How customers' average spends differ: the smaller q, the more they differ (q ≤ 1: no usable mean).",
    "value.param.gamma": "Scale of the spend model, in money; with p and q it gives the mean spend below.",
    "value.param.mean_spend": "Mean spend per purchase over all customers.",
    "value.symbol.r": "r",
    "value.symbol.alpha": "α",
    "value.symbol.a": "a",
    "value.symbol.b": "b",
    "value.symbol.purchase_rate": "r / α",
    "value.symbol.dropout_probability": "a / (a + b)",
    "value.symbol.p": "p",
    "value.symbol.q": "q",
    "value.symbol.gamma": "γ",
    "value.symbol.mean_spend": "p γ / (q − 1)",
    "value.model_name.bgnbd": "Purchases (BG/NBD)",
    "value.model_name.gamma_gamma": "Spend (Gamma-Gamma)",
    "value.parameters_caption": (
        "Fitted by maximum likelihood on all orders: purchases on {customers} customers, spend on the {spenders} "
        "customers with a repeat purchase ({excluded} left out because refunds made their repeat spend ≤ 0)."
    ),
    # Pareto
    "value.pareto": "Where the revenue comes from",
    "value.pareto_x": "Share of customers, most valuable first",
    "value.pareto_y": "Share of net revenue",
    "value.equal_shares": "Everyone equal",
    "value.pareto_caption": "The top 20% of customers bring {share} of net revenue.",
    "value.download_key_customers": "Download customers by value (CSV)",
    # RFM
    "value.rfm": "RFM segments",
    "value.rfm_measure": "Areas show",
    "value.rfm_measure.customers": "Customers",
    "value.rfm_measure.revenue": "Revenue",
    "value.rfm_caption": (
        "Each customer gets 1–5 points for recency (days since the last order), frequency (orders) and monetary "
        "value (net revenue) by quintiles, 5 = best fifth; the segment comes from recency and the mean of "
        "frequency and monetary (Champions: bought recently, often and a lot; Lost: long ago, once, little)."
    ),
    "value.download_rfm_customers": "Download every customer's RFM scores (CSV)",
    "segment.Champions": "Champions",
    "segment.Loyal": "Loyal",
    "segment.Potential loyalists": "Potential loyalists",
    "segment.New": "New",
    "segment.Promising": "Promising",
    "segment.Need attention": "Need attention",
    "segment.About to sleep": "About to sleep",
    "segment.At risk": "At risk",
    "segment.Can't lose them": "Can't lose them",
    "segment.Hibernating": "Hibernating",
    "segment.Lost": "Lost",
    # At risk
    "value.at_risk": "Customers at risk: who to save first",
    "value.risk_days": "Days without an order, more than",
    "value.risk_days_help": "A repeat customer is overdue when their time since the last order exceeds this…",
    "value.risk_gaps": "…and more than k × typical gap, k",
    "value.risk_gaps_help": (
        "Typical gap = median days between a customer's order days. 2 = they have been away twice as long as "
        "they usually are."
    ),
    "value.risk_p_alive": "Or P(alive) below, %",
    "value.risk_p_alive_help": "Also listed: repeat customers whom the model gives less than this chance of still buying.",
    "value.at_risk_caption": (
        "{n} repeat customers as of {day}, sorted by value at risk = a year of their usual buying (revenue per "
        "order day × 365 / typical gap). Expected value = their predicted CLV."
    ),
    "value.at_risk_no_model": "Without the model, only the days rule applies.",
    "value.download_crm": "Download for the CRM (CSV)",
    "reason.overdue": "Overdue",
    "reason.low_p_alive": "Low P(alive)",
    "reason.overdue+low_p_alive": "Overdue, low P(alive)",
    "reason.lapsed_high_value": "High value, lapsed",
    # Win-back
    "value.win_back": "Win-back",
    "value.reactivated": "Customers who came back, per {unit}",
    "value.reactivated_caption": (
        "Reactivated = bought in a period after at least one period without an order (the sidebar's period)."
    ),
    "value.download_reactivated": "Download counts per period (CSV)",
    "value.download_reactivated_customers": "Download the customers who came back (CSV)",
    "value.lapsed": "High-value customers who lapsed",
    "value.lapsed_top": "High value = top %",
    "value.lapsed_top_help": "Customers among the top this % by net revenue, with no order for more than the days set above.",
    "value.lapsed_caption": "{n} customers of the top {top}% by revenue with no order for more than {days} days.",
    # Column names of tables and downloads
    "column.customer_id": "Customer",
    "column.first_order": "First order",
    "column.last_order": "Last order",
    "column.purchase_days": "Purchase days",
    "column.rank": "Rank",
    "column.revenue_share": "Share of revenue",
    "column.cumulative_share": "Cumulative share of revenue",
    "column.customer_share": "Share of customers",
    "column.typical_gap_days": "Typical gap, days",
    "column.days_since_last": "Days since last order",
    "column.expected_next_order": "Expected next order",
    "column.rfm_segment": "RFM segment",
    "column.segment": "Segment",
    "column.p_alive": "P(alive)",
    "column.expected_value": "Expected value (CLV)",
    "column.value_at_risk": "Value at risk",
    "column.reason": "Reason",
    "column.previous_period_start": "Previous active period",
    "column.gap_periods": "Empty periods in between",
    "column.frequency_bucket": "Repeat purchases before the calibration end",
    "column.actual_repeat_purchases": "Actual purchases",
    "column.predicted_repeat_purchases": "Predicted purchases",
    "column.actual_mean": "Actual per customer",
    "column.predicted_mean": "Predicted per customer",
    "column.statistic": "Statistic",
    "column.parameter": "Parameter",
    "column.meaning": "Meaning",
    "column.model": "Model",
    "column.recency_days": "Days since last order (R)",
    "column.rfm_frequency": "Orders (F)",
    "column.rfm_monetary": "Net revenue (M)",
    "column.r_score": "R score",
    "column.f_score": "F score",
    "column.m_score": "M score",
    "column.fm_score": "FM score",
    "column.frequency": "Repeat purchases (x)",
    "column.recency": "Last − first purchase (t_x)",
    "column.T": "Age: calibration end − first purchase (T)",
    "column.monetary_value": "Mean repeat spend",
    "column.expected_purchases": "Expected purchases",
    "column.expected_spend": "Expected spend per purchase",
    "column.clv": "Predicted CLV",
}

RU = {
    "value.title": "Ценность клиентов",
    "value.intro": (
        "Рассчитано по заказам с {first} по {last} (фильтры на боковой панели). Деньги — за вычетом возвратов; "
        "наведите на плитку или знак вопроса, чтобы увидеть, как получено каждое число."
    ),
    "value.fitting": "Подгоняем модели покупок и чека…",
    "value.cal_end": "Проверка: обучить до",
    "value.cal_end_help": (
        "Модель заново подгоняется по заказам до этого дня и предсказывает повторные покупки после него, которые "
        "нам известны. Пусто — автоматически: последний день заказов минус полгода (или минус половина периода "
        "данных, если он короче года). Последний день заказов — без проверки. Плитки, списки и графики всегда "
        "считаются по модели, подогнанной по всем заказам."
    ),
    "value.time_unit": "Единица времени модели",
    "value.time_unit_help": (
        "В чём модель измеряет время (давность, возраст клиента, частоту покупок). Прогноз от неё почти не "
        "зависит; от неё зависят ось графика P(alive) и единица параметра частоты."
    ),
    "value.unit.day": "День",
    "value.unit.week": "Неделя",
    "value.unit.month": "Месяц",
    "value.units.day": "Дни",
    "value.units.week": "Недели",
    "value.units.month": "Месяцы",
    "value.horizon": "Горизонт, месяцев",
    "value.horizon_help": "Сколько месяцев будущих покупок учитывает прогнозный CLV.",
    "value.discount": "Дисконт, % в год",
    "value.discount_help": (
        "Деньги потом стоят меньше денег сейчас. Годовая ставка переводится в месячную, (1 + годовая)^(1/12) − 1, "
        "и ценность каждого будущего месяца делится на (1 + месячная)^месяц."
    ),
    "value.margin": "Валовая маржа, %",
    "value.margin_help": (
        "Доля выручки, остающаяся после себестоимости. Применяется ко всем трём LTV; 100 % — выручка, меньше — "
        "прибыль на клиента."
    ),
    "value.historical": "Исторический LTV",
    "value.historical_help": (
        "Сколько клиенты уже принесли: чистая выручка всех клиентов (за вычетом возвратов) / число клиентов × "
        "маржа. Растёт с возрастом клиентов; молодые клиенты тянут его вниз."
    ),
    "value.historical_caption": "Среднее по {customers} клиентам на {day}, × маржа {margin}.",
    "value.formula": "LTV по формуле",
    "value.formula_help": (
        "Правило владельца: средний чек × заказов на активного клиента в месяц × ожидаемая жизнь в месяцах × "
        "маржа, жизнь = 1 / месячный отток. Отток считает ушедшим каждого, кто не купил в месяце, поэтому в "
        "магазинах, где покупают раз в несколько месяцев, жизнь и этот LTV получаются короткими."
    ),
    "value.formula_caption": (
        "Средний чек {aov} × {frequency} заказа в месяц × {lifetime} мес. (1 / отток {churn}) × маржа {margin}; "
        "средние за полные месяцы {first} … {last}."
    ),
    "value.formula_missing": "Нет значения: {reason}",
    "value.reason.span": (
        "заказы охватывают {days} дн.; модели покупок нужно не меньше {needed}, чтобы увидеть, как клиенты "
        "перестают покупать (на меньшем периоде она сильно завышает прогноз). Расширьте период дат или выберите "
        "более поздний конец обучения."
    ),
    "value.reason.repeat": (
        "только {found} из {customers} клиентов покупали в два дня и больше; модели покупок нужно не меньше "
        "{needed}. Возьмите более длинный период данных или более поздний конец обучения."
    ),
    "value.reason.spenders": (
        "только у {found} клиентов есть повторная покупка с положительной суммой; модели чека нужно не меньше "
        "{needed}."
    ),
    "value.reason.spend": "чеки клиентов различаются слишком сильно, у модели чека нет среднего (q ≤ 1).",
    "value.reason.formula": (
        "формуле нужен месячный отток, то есть хотя бы один полный календарный месяц после первого месяца "
        "данных. Расширьте период дат."
    ),
    "value.predictive": "Прогнозный CLV, {h} мес.",
    "value.predictive_help": (
        "Сколько нынешние клиенты принесут в следующие месяцы: для каждого клиента ожидаемое число покупок "
        "(модель BG/NBD: как часто он покупает и вероятность, что он уже ушёл) × ожидаемый чек покупки (модель "
        "Gamma-Gamma), с дисконтированием по месяцам, × маржа; на плитке — среднее на клиента."
    ),
    "value.predictive_caption": (
        "Все клиенты вместе: {total} за {h} мес.; дисконт {annual} в год ({monthly} в месяц), × маржа {margin}."
    ),
    "value.predictive_missing": "Нет значения: см. сообщение ниже.",
    "value.fallback": (
        "Прогнозную модель не удалось подогнать на этих данных, поэтому страница показывает только исторический "
        "LTV и LTV по формуле, а клиентов в зоне риска отбирает по времени с последнего заказа. Причина: {reason}"
    ),
    "value.historical_distribution": "Как исторический LTV распределён по клиентам",
    "value.statistic.mean": "Среднее",
    "value.statistic.p10": "У 10 % клиентов не больше",
    "value.statistic.p25": "У 25 % клиентов не больше",
    "value.statistic.median": "Медиана (у половины не больше)",
    "value.statistic.p75": "У 75 % клиентов не больше",
    "value.statistic.p90": "У 90 % клиентов не больше",
    "value.statistic.max": "Наибольший",
    "value.revenue_per_customer": "Чистая выручка на клиента",
    "value.holdout": "Предсказывает ли модель? Проверка на отложенном периоде",
    "value.holdout_chart": "Повторные покупки в отложенном периоде: прогноз и факт по прошлой частоте",
    "value.holdout_caption": (
        "Модель подогнана по заказам {customers} клиентов до {cal}{automatic} и предсказала их повторные покупки со "
        "следующего дня по {end}; прогноз сравнивается с тем, что они купили на самом деле. Покупка — день хотя бы "
        "с одним заказом."
    ),
    "value.automatic": " (автоматически: последний день заказов − полгода или − половина периода данных, если он короче года)",
    "value.no_holdout": (
        "Проверки нет: обучение заканчивается в последний день заказов {day}. Выберите выше более ранний день, "
        "чтобы увидеть, насколько хорошо модель предсказывает."
    ),
    "value.holdout_failed": "Проверку не удалось сделать на периоде обучения: {reason}",
    "value.holdout_no_model": "Проверки нет: модель не удалось подогнать (см. сообщение выше).",
    "value.actual": "Повторных покупок фактически",
    "value.actual_help": "Дни покупок клиентов периода обучения после его конца, посчитанные по данным.",
    "value.predicted": "Повторных покупок по прогнозу",
    "value.predicted_help": "Сумма по тем же клиентам ожидаемого по BG/NBD числа покупок в отложенном периоде.",
    "value.difference": "Ошибка прогноза",
    "value.difference_help": "Прогноз / факт − 1: плюс — модель ждала больше покупок, чем случилось.",
    "value.measure": "Столбцы",
    "value.measure.mean": "Покупок на клиента",
    "value.measure.total": "Покупок всего",
    "value.model": "Прогнозная ценность каждого клиента",
    "value.clv_axis": "Прогнозный CLV за {h} мес.",
    "value.clv_caption": (
        "Клиенты по прогнозному CLV; последний столбец включает и верхний 1 %. Большинство клиентов стоят немного, "
        "немногие — очень много."
    ),
    "value.since_last": "{units} с последней покупки",
    "value.p_alive_caption": (
        "P(alive) — вероятность, что клиент ещё покупает у вас, исходя из его собственного ритма. Она падает, чем "
        "дольше он молчит, и быстрее у тех, кто покупал часто (темнее точки — больше повторных покупок). В этой "
        "модели клиент с одной покупкой ещё не имел случая уйти после повторной, поэтому его P(alive) равна 1: "
        "линия наверху."
    ),
    "value.download_predictions": "Скачать прогноз по каждому клиенту (CSV)",
    "value.parameters": "Параметры модели простыми словами",
    "value.param.r": "Форма различий в частоте покупок между клиентами: меньше 1 — немногие покупают гораздо чаще большинства.",
    "value.param.alpha": "Масштаб частоты покупок (единица — {unit}); вместе с r даёт среднюю частоту ниже.",
    "value.param.a": "Вместе с b: как различается между клиентами вероятность уйти после покупки.",
    "value.param.b": "Вместе с a: чем больше b по сравнению с a, тем лояльнее клиенты.",
    "value.param.purchase_rate": "Среднее число покупок за единицу времени ({unit}), пока клиент активен.",
    "value.param.dropout_probability": "Средняя вероятность, что клиент уйдёт насовсем после покупки.",
    "value.param.p": "Форма разброса чека одной покупки вокруг среднего чека клиента.",
    "value.param.q": "Насколько различаются средние чеки клиентов: чем меньше q, тем сильнее (q ≤ 1 — среднего нет).",
    "value.param.gamma": "Масштаб модели чека, в деньгах; вместе с p и q даёт средний чек ниже.",
    "value.param.mean_spend": "Средний чек покупки по всем клиентам.",
    "value.symbol.r": "r",
    "value.symbol.alpha": "α",
    "value.symbol.a": "a",
    "value.symbol.b": "b",
    "value.symbol.purchase_rate": "r / α",
    "value.symbol.dropout_probability": "a / (a + b)",
    "value.symbol.p": "p",
    "value.symbol.q": "q",
    "value.symbol.gamma": "γ",
    "value.symbol.mean_spend": "p γ / (q − 1)",
    "value.model_name.bgnbd": "Покупки (BG/NBD)",
    "value.model_name.gamma_gamma": "Чек (Gamma-Gamma)",
    "value.parameters_caption": (
        "Оценены методом максимального правдоподобия по всем заказам: покупки — по {customers} клиентам, чек — по "
        "{spenders} клиентам с повторной покупкой ({excluded} исключены: из-за возвратов их повторные траты ≤ 0)."
    ),
    "value.pareto": "Откуда приходит выручка",
    "value.pareto_x": "Доля клиентов, от самых ценных",
    "value.pareto_y": "Доля чистой выручки",
    "value.equal_shares": "Все равны",
    "value.pareto_caption": "Верхние 20 % клиентов приносят {share} чистой выручки.",
    "value.download_key_customers": "Скачать клиентов по ценности (CSV)",
    "value.rfm": "RFM-сегменты",
    "value.rfm_measure": "Площадь — это",
    "value.rfm_measure.customers": "Клиенты",
    "value.rfm_measure.revenue": "Выручка",
    "value.rfm_caption": (
        "Каждый клиент получает 1–5 баллов за давность (дней с последнего заказа), частоту (заказы) и деньги "
        "(чистая выручка) по квинтилям, 5 — лучшая пятая часть; сегмент определяется давностью и средним частоты и "
        "денег (Чемпионы: покупали недавно, часто и много; Потерянные: давно, один раз, мало)."
    ),
    "value.download_rfm_customers": "Скачать RFM-баллы каждого клиента (CSV)",
    "segment.Champions": "Чемпионы",
    "segment.Loyal": "Лояльные",
    "segment.Potential loyalists": "Потенциально лояльные",
    "segment.New": "Новые",
    "segment.Promising": "Перспективные",
    "segment.Need attention": "Требуют внимания",
    "segment.About to sleep": "Засыпающие",
    "segment.At risk": "В зоне риска",
    "segment.Can't lose them": "Нельзя потерять",
    "segment.Hibernating": "Спящие",
    "segment.Lost": "Потерянные",
    "value.at_risk": "Клиенты в зоне риска: кого спасать первым",
    "value.risk_days": "Дней без заказа, больше",
    "value.risk_days_help": "Повторный клиент просрочил покупку, если с последнего заказа прошло больше этого…",
    "value.risk_gaps": "…и больше k × обычный интервал, k",
    "value.risk_gaps_help": (
        "Обычный интервал — медиана дней между днями заказов клиента. 2 — его нет вдвое дольше обычного."
    ),
    "value.risk_p_alive": "Или P(alive) ниже, %",
    "value.risk_p_alive_help": "Также в списке: повторные клиенты, которым модель даёт меньшую вероятность ещё покупать.",
    "value.at_risk_caption": (
        "{n} повторных клиентов на {day}, по убыванию ценности под угрозой = год их обычных покупок (выручка на "
        "день заказа × 365 / обычный интервал). Ожидаемая ценность — их прогнозный CLV."
    ),
    "value.at_risk_no_model": "Без модели действует только правило дней.",
    "value.download_crm": "Скачать для CRM (CSV)",
    "reason.overdue": "Просрочил покупку",
    "reason.low_p_alive": "Низкая P(alive)",
    "reason.overdue+low_p_alive": "Просрочил, низкая P(alive)",
    "reason.lapsed_high_value": "Ценный, перестал покупать",
    "value.win_back": "Возврат клиентов",
    "value.reactivated": "Вернувшиеся клиенты по периодам: {unit}",
    "value.reactivated_caption": (
        "Реактивированный — купил в периоде после хотя бы одного периода без заказов (период — с боковой панели)."
    ),
    "value.download_reactivated": "Скачать число по периодам (CSV)",
    "value.download_reactivated_customers": "Скачать вернувшихся клиентов (CSV)",
    "value.lapsed": "Ценные клиенты, переставшие покупать",
    "value.lapsed_top": "Ценные — верхние %",
    "value.lapsed_top_help": "Клиенты из верхних стольких % по чистой выручке без заказа дольше, чем задано выше в днях.",
    "value.lapsed_caption": "{n} клиентов из верхних {top} % по выручке без заказа больше {days} дней.",
    "column.customer_id": "Клиент",
    "column.first_order": "Первый заказ",
    "column.last_order": "Последний заказ",
    "column.purchase_days": "Дней с покупками",
    "column.rank": "Место",
    "column.revenue_share": "Доля выручки",
    "column.cumulative_share": "Накопленная доля выручки",
    "column.customer_share": "Доля клиентов",
    "column.typical_gap_days": "Обычный интервал, дней",
    "column.days_since_last": "Дней с последнего заказа",
    "column.expected_next_order": "Ожидаемый следующий заказ",
    "column.rfm_segment": "RFM-сегмент",
    "column.segment": "Сегмент",
    "column.p_alive": "P(alive)",
    "column.expected_value": "Ожидаемая ценность (CLV)",
    "column.value_at_risk": "Ценность под угрозой",
    "column.reason": "Причина",
    "column.previous_period_start": "Предыдущий активный период",
    "column.gap_periods": "Пустых периодов между",
    "column.frequency_bucket": "Повторных покупок до конца обучения",
    "column.actual_repeat_purchases": "Покупок фактически",
    "column.predicted_repeat_purchases": "Покупок по прогнозу",
    "column.actual_mean": "Факт на клиента",
    "column.predicted_mean": "Прогноз на клиента",
    "column.statistic": "Показатель",
    "column.parameter": "Параметр",
    "column.meaning": "Смысл",
    "column.model": "Модель",
    "column.recency_days": "Дней с последнего заказа (R)",
    "column.rfm_frequency": "Заказы (F)",
    "column.rfm_monetary": "Чистая выручка (M)",
    "column.r_score": "Балл R",
    "column.f_score": "Балл F",
    "column.m_score": "Балл M",
    "column.fm_score": "Балл FM",
    "column.frequency": "Повторных покупок (x)",
    "column.recency": "Последняя − первая покупка (t_x)",
    "column.T": "Возраст: конец обучения − первая покупка (T)",
    "column.monetary_value": "Средний повторный чек",
    "column.expected_purchases": "Ожидаемых покупок",
    "column.expected_spend": "Ожидаемый чек покупки",
    "column.clv": "Прогнозный CLV",
}
