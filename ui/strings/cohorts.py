"""Cohorts page texts."""

EN = {
    "cohorts.title": "Cohorts",
    "cohorts.value": "Value",
    "cohorts.value.customers": "Customers, %",
    "cohorts.value.revenue": "Revenue",
    "cohorts.value.ltv": "LTV",
    "cohorts.value_help": (
        "Customers, %: share of the cohort active at each age. Revenue: the cohort's revenue in that period. "
        "LTV: cumulative revenue per cohort customer up to that age."
    ),
    "cohorts.mode": "Active means an order",
    "cohorts.mode.on": "in that period",
    "cohorts.mode.unbounded": "then or later",
    "cohorts.mode_help": (
        "In that period: share of the cohort with an order in period c+k. Then or later: share with an "
        "order in c+k or any later period (never rises with age). Applies to Customers, %."
    ),
    "cohorts.weighting": "Average curve",
    "cohorts.weighting.size": "weighted by size",
    "cohorts.weighting.mean": "simple mean",
    "cohorts.weighting_help": (
        "Weighted by size: at each age, the cohorts' values weighted by cohort size (for customers: all "
        "active at age k over all who could be). Simple mean: every cohort counts the same."
    ),
    "cohorts.heatmap": "Cohort × age",
    "cohorts.heatmap_caption": (
        "Cohort = the period of a customer's first order; each row is labelled with its first day and its size "
        "(customers)."
    ),
    "cohorts.block": "Cohorts shown ({n} at a time of {total})",
    "cohorts.too_many": (
        "{n} cohorts are too many to draw as a heatmap: choose a coarser period or a narrower date range. "
        "The curve, the trend and the download below are complete."
    ),
    "cohorts.empty": "No cohort starts in the chosen date range.",
    "cohorts.curve": "Average curve over the cohorts old enough for each age",
    "cohorts.curve_caption": (
        "Each age averages only the cohorts whose cell at that age is complete (their number on hover); {how}."
    ),
    "cohorts.trend_title": "Age k over time",
    "cohorts.trend": "{line} by cohort: do newer cohorts do better?",
    "cohorts.age_k": "Age for this line",
    "cohorts.age_k_help": "Which age to follow across cohorts: 1 = the first period after the cohort's own.",
    "cohorts.line.customers": "{unit}-{k} retention",
    "cohorts.line.revenue": "{unit}-{k} revenue",
    "cohorts.line.ltv": "{unit}-{k} LTV",
    "cohorts.activity.on": "at age k a customer counts with an order in period c+k",
    "cohorts.activity.unbounded": "at age k a customer counts with an order in period c+k or later",
    "cohorts.activity.revenue": "value = the cohort's revenue in period c+k, refunds netted",
    "cohorts.activity.ltv": "value = cumulative revenue per cohort customer up to period c+k",
    "unit.day": "Day",
    "unit.week": "Week",
    "unit.month": "Month",
    "unit.quarter": "Quarter",
    "unit.half-year": "Half-year",
    "unit.year": "Year",
}

RU = {
    "cohorts.title": "Когорты",
    "cohorts.value": "Значение",
    "cohorts.value.customers": "Клиенты, %",
    "cohorts.value.revenue": "Выручка",
    "cohorts.value.ltv": "LTV",
    "cohorts.value_help": (
        "Клиенты, %: доля когорты, активной в каждом возрасте. Выручка: выручка когорты в этом периоде. "
        "LTV: накопленная выручка на клиента когорты до этого возраста."
    ),
    "cohorts.mode": "Активен — есть заказ",
    "cohorts.mode.on": "в этом периоде",
    "cohorts.mode.unbounded": "тогда или позже",
    "cohorts.mode_help": (
        "В этом периоде: доля когорты с заказом в периоде c+k. Тогда или позже: доля с заказом в c+k или "
        "в любом более позднем периоде (с возрастом не растёт). Для «Клиенты, %»."
    ),
    "cohorts.weighting": "Средняя кривая",
    "cohorts.weighting.size": "с весом по размеру",
    "cohorts.weighting.mean": "простая",
    "cohorts.weighting_help": (
        "Взвешенная по размеру: в каждом возрасте значения когорт с весом по их размеру (для клиентов: "
        "все активные в возрасте k / все, кто мог быть). Простое среднее: каждая когорта весит одинаково."
    ),
    "cohorts.heatmap": "Когорта × возраст",
    "cohorts.heatmap_caption": (
        "Когорта — период первого заказа клиента; строка подписана первым днём периода и размером когорты "
        "(клиентов)."
    ),
    "cohorts.block": "Показаны когорты (по {n} из {total})",
    "cohorts.too_many": (
        "Когорт слишком много для тепловой карты ({n}): выберите период крупнее или диапазон дат уже. "
        "Кривая, тренд и выгрузка ниже — полные."
    ),
    "cohorts.empty": "В выбранном диапазоне дат нет ни одной когорты.",
    "cohorts.curve": "Средняя кривая по когортам, дожившим до каждого возраста",
    "cohorts.curve_caption": (
        "Каждый возраст усредняет только когорты с полной ячейкой в этом возрасте (их число — при наведении); средняя — {how}."
    ),
    "cohorts.trend_title": "Возраст k во времени",
    "cohorts.trend": "{line} по когортам: лучше ли новые когорты?",
    "cohorts.age_k": "Возраст для этой линии",
    "cohorts.age_k_help": "Какой возраст сравнивать между когортами: 1 — первый период после периода когорты.",
    "cohorts.line.customers": "Удержание: {unit} {k}",
    "cohorts.line.revenue": "Выручка: {unit} {k}",
    "cohorts.line.ltv": "LTV: {unit} {k}",
    "cohorts.activity.on": "в возрасте k клиент учитывается, если у него есть заказ в периоде c+k",
    "cohorts.activity.unbounded": "в возрасте k клиент учитывается, если у него есть заказ в периоде c+k или позже",
    "cohorts.activity.revenue": "значение — выручка когорты в периоде c+k за вычетом возвратов",
    "cohorts.activity.ltv": "значение — накопленная выручка на клиента когорты до периода c+k",
    "unit.day": "день",
    "unit.week": "неделя",
    "unit.month": "месяц",
    "unit.quarter": "квартал",
    "unit.half-year": "полугодие",
    "unit.year": "год",
}
