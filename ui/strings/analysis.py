"""Texts of the team analysis features: drill-down, comparisons, notes and annotations (SPEC §7.1)."""

EN = {
    "drill.count": "{n} customers · the whole list downloads as CSV (ready for a CRM).",
    "drill.hint_cell": "Click a cell to list the customers behind it.",
    "drill.hint_flow": "Click a bar to list the customers behind it.",
    "drill.hint_rfm": "Click a segment to list its customers.",
    "drill.cell_title": "Cohort {cohort}, age {age} ({unit}): {what}",
    "drill.cell.on": "customers with an order in that period",
    "drill.cell.unbounded": "customers with an order in that period or later",
    "drill.cell.revenue": "customers with revenue in that period",
    "drill.cell.ltv": "every customer of the cohort, with the revenue up to that age",
    "drill.flow.retained": "Retained in the period from {period}",
    "drill.flow.new": "New in the period from {period}",
    "drill.flow.reactivated": "Came back in the period from {period}",
    "drill.flow.churned": "Churned in the period from {period} (active before, not in it)",
    "drill.rfm": "RFM segment: {segment}",
    "column.cell_revenue": "Revenue in the cell",
    "column.period_revenue": "Revenue in the period",
}

RU = {
    "drill.count": "{n} клиентов · весь список скачивается в CSV (готов для CRM).",
    "drill.hint_cell": "Нажмите на ячейку, чтобы увидеть клиентов за этим числом.",
    "drill.hint_flow": "Нажмите на столбец, чтобы увидеть клиентов за этим числом.",
    "drill.hint_rfm": "Нажмите на сегмент, чтобы увидеть его клиентов.",
    "drill.cell_title": "Когорта {cohort}, возраст {age} ({unit}): {what}",
    "drill.cell.on": "клиенты с заказом в этом периоде",
    "drill.cell.unbounded": "клиенты с заказом в этом периоде или позже",
    "drill.cell.revenue": "клиенты с выручкой в этом периоде",
    "drill.cell.ltv": "все клиенты когорты с выручкой до этого возраста",
    "drill.flow.retained": "Удержанные в периоде с {period}",
    "drill.flow.new": "Новые в периоде с {period}",
    "drill.flow.reactivated": "Вернувшиеся в периоде с {period}",
    "drill.flow.churned": "Ушедшие в периоде с {period} (были активны до него, в нём — нет)",
    "drill.rfm": "RFM-сегмент: {segment}",
    "column.cell_revenue": "Выручка в ячейке",
    "column.period_revenue": "Выручка в периоде",
}
