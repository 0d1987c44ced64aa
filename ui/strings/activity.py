"""The activity rule (SPEC §4.1 purchase cycle), CRR with its parts, and the dataset settings."""

EN = {
    "metric.reactivation_share": "Came back (share of S)",
    "metric.lapsed": "Lapsed customers",
    "metric.reactivation_rate": "Reactivation rate",
    "formula.reactivation_share": (
        "Came back = reactivated / S: customers who bought again after a gap, over the customers active at the "
        "start. CRR = retention rate + this share."
    ),
    "formula.lapsed": "Lapsed = customers who bought before the period and are not active in it.",
    "formula.reactivation_rate": (
        "Reactivation rate = reactivated in the period / lapsed customers of the period before: the win-back rate."
    ),
    "activity.this.day": "active = bought on that day",
    "activity.this.week": "active = bought in that week",
    "activity.this.month": "active = bought in that month",
    "activity.this.quarter": "active = bought in that quarter",
    "activity.this.half-year": "active = bought in that half-year",
    "activity.this.year": "active = bought in that year",
    "activity.last": "active = bought in the last {n} {units}",
    "activity.units.day": "day|days",
    "activity.units.week": "week|weeks",
    "activity.units.month": "month|months",
    "activity.units.quarter": "quarter|quarters",
    "activity.units.half-year": "half-year|half-years",
    "activity.units.year": "year|years",
    "activity.cycle": "80 % of repeat purchases come within {days} days",
    "activity.user": "set by hand; the shop's purchase cycle is {days} days",
    "activity.user_no_cycle": "set by hand; too few repeat purchases to measure the shop's purchase cycle",
    "activity.too_few": (
        "only {gaps} repeat purchases, fewer than {min}: too few to measure the purchase cycle, so one period"
    ),
    "activity.crr_parts": "CRR {crr} = {kept} kept + {back} came back",
    "activity.window": "Activity window (periods)",
    "activity.window_placeholder": "the purchase cycle: {n}",
    "activity.window_placeholder_dataset": "the dataset's setting: {n}",
    "activity.window_help": (
        "A customer counts as active with an order in this many periods ending at the period (W, SPEC §4.1). "
        "Empty = the shop's purchase cycle: 80 % of repeat purchases come within it. A number here overrides "
        "it for this link; the Data page saves an override with the dataset."
    ),
    "activity.at_risk_rule": (
        "{n} customers at risk on {day}: repeat customers with no order for more than {days} days and more than "
        "{k} × their own typical gap between orders, or with P(alive) below {p} %. The same rule and the same "
        "analysis date on every page."
    ),
    "activity.risk_days_placeholder": "the purchase cycle: {days}",
    "activity.margin_placeholder": "the dataset's: {margin}",
    "activity.settings_caption": "Currency sign: {currency} · gross margin {margin} (the dataset's settings, Data page).",
    "activity.no_currency": "none",
    "activity.formula_rule": "Churn under the activity rule: {rule}.",
    "activity.reactivated_rule": (
        "Reactivated = bought again after the activity window had run out, in the sidebar's periods ({rule})."
    ),
    "activity.cohort_not_window": "cells count purchases in the period itself, not the activity window of the other pages ({rule})",
    "settings.title": "Dataset settings",
    "settings.intro": (
        "Saved with the dataset and used by every page and by the command line: the currency sign of money, "
        "the gross margin for profit and CLV, the activity window, and what acquiring and keeping a customer cost."
    ),
    "settings.dataset": "For the dataset: {name}",
    "settings.currency": "Currency sign",
    "settings.margin": "Gross margin, %",
    "settings.margin_help": "Profit = revenue × margin: used for profit LTV, CLV and the what-if profit.",
    "settings.window_days": "Activity window override, days",
    "settings.window_days_help": (
        "Empty = the shop's purchase cycle measured from the data (80 % of repeat purchases come within it). "
        "A number of days here is used instead, in every grain (90 days = 3 months = 13 weeks)."
    ),
    "settings.window_rule": "Measured on this dataset: {rule}.",
    "settings.week_start": "Weeks start on",
    "settings.week_start.monday": "Monday (ISO weeks)",
    "settings.time_zone": "Time zone of the timestamps",
    "settings.time_zone_help": "IANA name, e.g. Europe/Moscow. Empty = as written in the file.",
    "settings.cac": "CAC: cost to acquire a customer",
    "settings.cac_help": "In the dataset's currency; What-if compares keeping customers with buying new ones at it. 0 = not known.",
    "settings.retention_cost": "Retention cost per customer a month",
    "settings.retention_cost_help": "What keeping one customer costs a month (bonuses, mailings); What-if starts from it. 0 = not known.",
    "settings.save": "Save settings",
    "settings.saved": "Settings of {name} saved.",
}

RU = {
    "metric.reactivation_share": "Вернулись (доля от S)",
    "metric.lapsed": "Ушедшие клиенты",
    "metric.reactivation_rate": "Доля вернувшихся ушедших",
    "formula.reactivation_share": (
        "Вернулись = реактивированные / S: клиенты, купившие снова после перерыва, к активным на начало "
        "периода. CRR = удержание + эта доля."
    ),
    "formula.lapsed": "Ушедшие = клиенты, покупавшие до периода и не активные в нём.",
    "formula.reactivation_rate": (
        "Доля вернувшихся = реактивированные в периоде / ушедшие на конец предыдущего периода: доля возврата."
    ),
    "activity.this.day": "активен = покупал в этот день",
    "activity.this.week": "активен = покупал на этой неделе",
    "activity.this.month": "активен = покупал в этом месяце",
    "activity.this.quarter": "активен = покупал в этом квартале",
    "activity.this.half-year": "активен = покупал в этом полугодии",
    "activity.this.year": "активен = покупал в этом году",
    "activity.last": "активен = покупал за последние {n} {units}",
    "activity.units.day": "день|дня|дней",
    "activity.units.week": "неделю|недели|недель",
    "activity.units.month": "месяц|месяца|месяцев",
    "activity.units.quarter": "квартал|квартала|кварталов",
    "activity.units.half-year": "полугодие|полугодия|полугодий",
    "activity.units.year": "год|года|лет",
    "activity.cycle": "80 % повторных покупок совершаются в пределах {days} дн.",
    "activity.user": "задано вручную; цикл покупки магазина — {days} дн.",
    "activity.user_no_cycle": "задано вручную; повторных покупок слишком мало, чтобы измерить цикл покупки",
    "activity.too_few": (
        "повторных покупок всего {gaps}, меньше {min}: цикл покупки не измерить, поэтому один период"
    ),
    "activity.crr_parts": "CRR {crr} = {kept} удержано + {back} вернулись",
    "activity.window": "Окно активности (периодов)",
    "activity.window_placeholder": "цикл покупки: {n}",
    "activity.window_placeholder_dataset": "из настроек данных: {n}",
    "activity.window_help": (
        "Клиент считается активным, если покупал в этом числе периодов, заканчивающихся данным (W, §4.1 спецификации). "
        "Пусто = цикл покупки магазина: 80 % повторных покупок совершаются в его пределах. Число здесь заменяет "
        "его для этой ссылки; сохранить замену для набора данных можно на странице «Данные»."
    ),
    "activity.at_risk_rule": (
        "Клиентов под угрозой ухода на {day}: {n} — повторные покупатели без заказа дольше {days} дн. и дольше "
        "{k} × их обычного интервала между заказами, или с P(alive) ниже {p} %. Одно правило и одна дата "
        "анализа на всех страницах."
    ),
    "activity.risk_days_placeholder": "цикл покупки: {days}",
    "activity.margin_placeholder": "как в данных: {margin}",
    "activity.settings_caption": "Знак валюты: {currency} · валовая маржа {margin} (настройки набора данных, страница «Данные»).",
    "activity.no_currency": "нет",
    "activity.formula_rule": "Отток по правилу активности: {rule}.",
    "activity.reactivated_rule": (
        "Реактивированный — купил снова после того, как окно активности закончилось; периоды — с боковой панели "
        "({rule})."
    ),
    "activity.cohort_not_window": "ячейки считают покупки в самом периоде, а не окно активности других страниц ({rule})",
    "settings.title": "Настройки набора данных",
    "settings.intro": (
        "Сохраняются вместе с набором данных и действуют на всех страницах и в командной строке: знак валюты, "
        "валовая маржа для прибыли и CLV, окно активности, стоимость привлечения и удержания клиента."
    ),
    "settings.dataset": "Для набора данных: {name}",
    "settings.currency": "Знак валюты",
    "settings.margin": "Валовая маржа, %",
    "settings.margin_help": "Прибыль = выручка × маржа: для LTV по прибыли, CLV и прибыли в «Что если».",
    "settings.window_days": "Своё окно активности, дней",
    "settings.window_days_help": (
        "Пусто = цикл покупки магазина, измеренный по данным (80 % повторных покупок совершаются в его пределах). "
        "Число дней здесь используется вместо него при любой детализации (90 дней = 3 месяца = 13 недель)."
    ),
    "settings.window_rule": "Измерено на этом наборе данных: {rule}.",
    "settings.week_start": "Неделя начинается с",
    "settings.week_start.monday": "понедельника (недели ISO)",
    "settings.time_zone": "Часовой пояс меток времени",
    "settings.time_zone_help": "Название IANA, например Europe/Moscow. Пусто = как записано в файле.",
    "settings.cac": "CAC: стоимость привлечения клиента",
    "settings.cac_help": "В валюте набора; «Что если» сравнивает с ней удержание. 0 = неизвестно.",
    "settings.retention_cost": "Затраты на удержание клиента в месяц",
    "settings.retention_cost_help": "Сколько стоит удержать одного клиента в месяц (бонусы, рассылки); «Что если» начинает с неё. 0 = неизвестно.",
    "settings.save": "Сохранить настройки",
    "settings.saved": "Настройки набора «{name}» сохранены.",
}
