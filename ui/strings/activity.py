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
}
