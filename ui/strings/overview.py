"""Overview page texts, including each KPI tile's formula (keyed by the metric key)."""

EN = {
    "overview.report_prepare": "Prepare the HTML report",
    "overview.report_download": "Download the report (HTML, opens offline)",
    "overview.report_title": "Retention report",
    "overview.title": "Overview",
    "overview.customers": "Customers",
    "overview.customers_help": "Customers with at least one order in the filtered data.",
    "overview.orders": "Orders",
    "overview.orders_help": "Orders in the filtered data (refund rows are not orders).",
    "overview.revenue": "Revenue",
    "overview.revenue_help": "Sum of amounts, refunds netted.",
    "overview.aov": "Average order value, whole range",
    "overview.aov_help": "AOV = revenue / orders.",
    "overview.span": "Data from {first} to {last} · {refunds} refund rows netted against revenue.",
    "overview.retention": "Retention by period",
    "overview.subscriptions_only": "This dataset has subscriptions and no orders: retention follows the subscriptions.",
    "overview.window": "Activity window (periods)",
    "overview.window_help": (
        "A customer counts as active in a period with an order in this many periods ending at it "
        "(W, SPEC §4.1). 1 = an order in the period itself; 3 with months = an order in the last three months."
    ),
    "overview.tiles_period": (
        "Tiles describe the period {period}; arrows show the change against the period before it "
        "(ratios in percentage points, counts and money in %)."
    ),
    "overview.tiles_first": "Tiles: the period {period}; there is no earlier period to compare with.",
    "overview.no_periods": "No period to show in the chosen date range.",
    "overview.incomplete_hidden": (
        "The data ends inside the period {period}, so it is incomplete: the tiles and the trend lines "
        "leave it out (a half-finished period would look like a churn spike). The table lists it, marked."
    ),
    "overview.incomplete_shown": (
        "The period {period} is incomplete and included: its numbers are partial, so a drop there is not churn."
    ),
    "overview.trend": "CRR, churn and ARPU by period",
    "overview.flow": "Customer base by period: retained, reactivated, new, churned",
    "overview.table": "Period metrics",
    "overview.seasonality": "Seasonality: revenue by calendar month",
    "overview.seasonality_caption": (
        "Coefficient = a calendar month's mean revenue over {years} complete year(s) / the mean of all those "
        "months; 1 = an average month. Incomplete months are left out."
    ),
    "overview.seasonality_short": (
        "Seasonality needs at least 12 complete months of orders in the chosen range; this range has fewer."
    ),
    "overview.nps": "NPS by period",
    "overview.nps_caption": (
        "NPS = % promoters (9–10) − % detractors (0–6) among the survey answers of the period; "
        "periods follow the sidebar grain."
    ),
    "formula.customers_end": "E = customers active in the period (an order in the activity window ending with it).",
    "formula.orders": "Orders in the period; refund rows are not orders.",
    "formula.reactivated": "Reactivated = customers active now who were not active in the previous period and are not new.",
    "formula.revenue": "Revenue = the sum of amounts in the period, refunds netted.",
    "formula.crr": (
        "CRR = (E − N) / S: customers active at the end of the period minus the new ones, over the "
        "customers active at its start. Reactivated customers count as retained, so CRR can exceed 100%."
    ),
    "formula.retention_rate": (
        "Retention rate = retained / S: customers active in both the previous and this period, over "
        "the customers active in the previous period."
    ),
    "formula.churn_rate": (
        "Churn rate = churned / S: customers active in the previous period but not in this one, over the "
        "customers active in the previous period. Retention rate + churn rate = 100%."
    ),
    "formula.total_churn_rate": (
        "Total churn rate = (churned + new who also left) / S: counts customers who joined and left "
        "within the period too."
    ),
    "formula.revenue_churn_rate": (
        "Revenue churn = previous-period revenue of the customers who churned / previous-period revenue "
        "of all customers at the start (S): the money that left with them."
    ),
    "formula.mrr_churn_rate": "MRR churn = MRR of the subscriptions that ended in the period / MRR at its start.",
    "formula.nrr": (
        "NRR = what the customers at the start (S) bring in this period / what they brought in the previous "
        "one (revenue for orders, MRR for subscriptions). Above 100%: existing customers spend more."
    ),
    "formula.arpu": (
        "ARPU = revenue / active customers (E): revenue per customer who bought in the period "
        "(for subscriptions: MRR per active subscriber)."
    ),
    "formula.aov": "AOV = revenue / orders in the period (refunds netted, refund rows are not orders).",
    "formula.repeat_revenue_share": (
        "Repeat revenue share = revenue from customers who are not new in the period / all revenue of the period."
    ),
    "formula.new_customers": (
        "N = customers whose first order in the data falls in the period "
        "(for subscriptions: whose subscription starts in it)."
    ),
    "formula.returning_customers": (
        "Returning = E − N = retained + reactivated: active customers in the period who are not new."
    ),
    "formula.churned": "Churned = |S \\ E|: customers active at the start of the period who are not active at its end.",
}

RU = {
    "overview.report_prepare": "Подготовить отчёт в HTML",
    "overview.report_download": "Скачать отчёт (HTML, открывается без интернета)",
    "overview.report_title": "Отчёт по удержанию",
    "overview.title": "Обзор",
    "overview.customers": "Клиенты",
    "overview.customers_help": "Клиенты хотя бы с одним заказом в отфильтрованных данных.",
    "overview.orders": "Заказы",
    "overview.orders_help": "Заказы в отфильтрованных данных (возвраты не считаются заказами).",
    "overview.revenue": "Выручка",
    "overview.revenue_help": "Сумма заказов за вычетом возвратов.",
    "overview.aov": "Средний чек за весь диапазон",
    "overview.aov_help": "Средний чек = выручка / заказы.",
    "overview.span": "Данные с {first} по {last} · возвратов: {refunds}, вычтены из выручки.",
    "overview.retention": "Удержание по периодам",
    "overview.subscriptions_only": "В этом наборе подписки и нет заказов: удержание считается по подпискам.",
    "overview.window": "Окно активности (периодов)",
    "overview.window_help": (
        "Клиент активен в периоде, если у него есть заказ за столько периодов, заканчивающихся этим "
        "(W, §4.1 спецификации). 1 — заказ в самом периоде; 3 при месяцах — заказ за последние три месяца."
    ),
    "overview.tiles_period": (
        "Плитки описывают период {period}; стрелки — изменение к предыдущему периоду "
        "(доли — в процентных пунктах, количества и деньги — в %)."
    ),
    "overview.tiles_first": "Плитки: период {period}; более раннего периода для сравнения нет.",
    "overview.no_periods": "В выбранном диапазоне дат нет периодов.",
    "overview.incomplete_hidden": (
        "Данные кончаются внутри периода {period}, он неполный: плитки и линии тренда его не учитывают "
        "(недозаполненный период выглядел бы всплеском оттока). В таблице он есть, с пометкой."
    ),
    "overview.incomplete_shown": (
        "Неполный период {period} показан: его числа неполные, и падение в нём — не отток."
    ),
    "overview.trend": "CRR, отток и ARPU по периодам",
    "overview.flow": "Клиентская база по периодам: удержанные, реактивированные, новые, ушедшие",
    "overview.table": "Метрики по периодам",
    "overview.seasonality": "Сезонность: выручка по месяцам года",
    "overview.seasonality_caption": (
        "Коэффициент = средняя выручка месяца за полных лет: {years} / среднее по всем этим месяцам; "
        "1 — обычный месяц. Неполные месяцы не учитываются."
    ),
    "overview.seasonality_short": (
        "Для сезонности нужно не меньше 12 полных месяцев заказов в выбранном диапазоне; здесь меньше."
    ),
    "overview.nps": "NPS по периодам",
    "overview.nps_caption": (
        "NPS = % промоутеров (9–10) − % критиков (0–6) среди ответов опроса за период; "
        "периоды — как выбрано в боковой панели."
    ),
    "formula.customers_end": "E = клиенты, активные в периоде (есть заказ в окне активности, которое им заканчивается).",
    "formula.orders": "Заказы за период; строки возвратов заказами не считаются.",
    "formula.reactivated": "Вернувшиеся = активные сейчас клиенты, которые не были активны в прошлом периоде и не новые.",
    "formula.revenue": "Выручка = сумма сумм заказов за период за вычетом возвратов.",
    "formula.crr": (
        "CRR = (E − N) / S: активные клиенты на конец периода минус новые, делённые на активных на его "
        "начало. Реактивированные считаются удержанными, поэтому CRR может быть больше 100 %."
    ),
    "formula.retention_rate": (
        "Удержание = удержанные / S: клиенты, активные и в прошлом, и в этом периоде, делённые на "
        "активных в прошлом периоде."
    ),
    "formula.churn_rate": (
        "Отток = ушедшие / S: клиенты, активные в прошлом периоде и не активные в этом, делённые на "
        "активных в прошлом периоде. Удержание + отток = 100 %."
    ),
    "formula.total_churn_rate": (
        "Полный отток = (ушедшие + новые, ушедшие в том же периоде) / S: учитывает и тех, кто пришёл и ушёл "
        "за один период."
    ),
    "formula.revenue_churn_rate": (
        "Отток выручки = выручка ушедших клиентов в прошлом периоде / выручка в прошлом периоде всех "
        "клиентов на начало (S): деньги, ушедшие вместе с клиентами."
    ),
    "formula.mrr_churn_rate": "Отток MRR = MRR подписок, закончившихся в периоде / MRR на его начало.",
    "formula.nrr": (
        "NRR = что клиенты на начало периода (S) приносят в этом периоде / что они принесли в прошлом "
        "(выручка для заказов, MRR для подписок). Больше 100 %: текущие клиенты тратят больше."
    ),
    "formula.arpu": (
        "ARPU = выручка / активные клиенты (E): выручка на клиента, купившего в периоде "
        "(для подписок: MRR на активного подписчика)."
    ),
    "formula.aov": "Средний чек = выручка / заказы периода (возвраты вычтены и заказами не считаются).",
    "formula.repeat_revenue_share": (
        "Доля повторной выручки = выручка от клиентов, не новых в периоде / вся выручка периода."
    ),
    "formula.new_customers": (
        "N = клиенты, чей первый заказ в данных пришёлся на период (для подписок: чья подписка началась в нём)."
    ),
    "formula.returning_customers": (
        "Вернувшиеся = E − N = удержанные + реактивированные: активные в периоде клиенты, которые не новые."
    ),
    "formula.churned": "Ушедшие = |S \\ E|: активные на начало периода, но не активные на его конец.",
}
