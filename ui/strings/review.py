"""Weekly review page texts."""

EN = {
    "nav.review": "Weekly review",
    "review.title": "Weekly review",
    "review.intro": "What changed in the last complete {unit} ({start}) against the one before, who moved it, "
                    "and who to contact. The current, unfinished {unit} is never compared.",
    "review.grain": "Compare",
    "review.grain_week": "weeks",
    "review.grain_month": "months",
    "review.changes": "What changed",
    "review.changes_download": "Download the comparison (CSV)",
    "review.movers": "Who moved it: segments with the largest revenue change",
    "review.segment": "Segment column",
    "review.no_segments": "This dataset has no segment columns (channel, region, …) to break the change down by.",
    "review.at_risk": "Customers at risk: overdue against their own rhythm",
    "review.at_risk_caption": "Repeat customers with no order for more than {days} days and more than {k}× their typical "
                              "gap, sorted by a year of their usual buying (value at risk). {n} customers; the first 50 are "
                              "shown, the download has all. The Customer value page adds P(alive) and predicted value.",
    "review.lapsed": "High-value customers who lapsed",
    "review.lapsed_caption": "The top {top} % of customers by revenue with no order for more than {days} days: {n} customers.",
    "review.download_at_risk": "Download at-risk customers for the CRM (CSV)",
    "review.download_lapsed": "Download lapsed high-value customers for the CRM (CSV)",
    "units.week_one": "week",
    "column.suffix_previous": "{name}, before",
    "column.suffix_change": "{name}, change",
    "column.orders": "Orders",
    "column.revenue": "Revenue",
    "units.month_one": "month",
}

RU = {
    "nav.review": "Еженедельный обзор",
    "review.title": "Еженедельный обзор",
    "review.intro": "Что изменилось за последний полный период ({unit}, с {start}) по сравнению с предыдущим, "
                    "кто это изменение дал и с кем связаться. Текущий незавершённый период не сравнивается.",
    "review.grain": "Сравнивать",
    "review.grain_week": "недели",
    "review.grain_month": "месяцы",
    "review.changes": "Что изменилось",
    "review.changes_download": "Скачать сравнение (CSV)",
    "review.movers": "Кто это дал: сегменты с наибольшим изменением выручки",
    "review.segment": "Столбец сегмента",
    "review.no_segments": "В этом наборе нет столбцов сегментов (канал, регион, …), чтобы разложить изменение.",
    "review.at_risk": "Клиенты под угрозой ухода: дольше обычного без заказа",
    "review.at_risk_caption": "Повторные клиенты без заказа больше {days} дней и больше {k}× своего обычного интервала; "
                              "по убыванию годового объёма их обычных покупок (ценность под угрозой). Клиентов: {n}; "
                              "показаны первые 50, в файле — все. Страница «Ценность клиентов» добавляет P(alive) и прогноз.",
    "review.lapsed": "Ушедшие ценные клиенты",
    "review.lapsed_caption": "Верхние {top} % клиентов по выручке без заказа больше {days} дней: {n} клиентов.",
    "review.download_at_risk": "Скачать клиентов под угрозой для CRM (CSV)",
    "review.download_lapsed": "Скачать ушедших ценных клиентов для CRM (CSV)",
    "units.week_one": "неделя",
    "column.suffix_previous": "{name}, до",
    "column.suffix_change": "{name}, изменение",
    "column.orders": "Заказы",
    "column.revenue": "Выручка",
    "units.month_one": "месяц",
}
