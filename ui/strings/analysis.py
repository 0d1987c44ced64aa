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
    "drill.rfm_all": "All customers",
    "drill.hint_funnel": "Click a step to list the users who reached it.",
    "drill.funnel": "Reached step {step}: {label}",
    "drill.count_users": "{n} users · the whole list downloads as CSV.",
    "compare.basis": "Compare with",
    "compare.basis.previous": "previous period",
    "compare.basis.last_year": "same period last year",
    "compare.basis.custom": "another date range",
    "compare.basis_help": (
        "What the change on each tile is measured against. Another date range: the tiles show the first range "
        "(money and customer flows added up, customers at start/end averaged, ratios pooled: CRR = Σ(E − N) / ΣS) "
        "against the second."
    ),
    "compare.cmp_from": "Range: from",
    "compare.cmp_to": "to",
    "compare.base_from": "Compared with: from",
    "compare.base_to": "to",
    "compare.caption.custom": (
        "Tiles: {a} – {b} against {c} – {d} (periods starting in each range; ratios pooled over the range). "
        "NRR and revenue churn have no value over a range."
    ),
    "compare.caption.last_year": "Tiles: the period from {period} against the same period a year earlier.",
    "compare.caption.no_last_year": "Tiles: the period from {period}; the data has no period a year earlier to compare with.",
    "compare.year_earlier": "a year earlier",
    "compare.trend_vs.last_year": "{metric}: each period against the same period a year earlier",
    "compare.trend_vs.custom": "{metric}: the range against the other, period by period",
    "compare.no_segment": "no split",
    "compare.top": "Values",
    "compare.top_help": "How many segment values (those with the most customers) get their own line; the rest form one line, Other.",
    "compare.trend_segment": "Lines per segment value",
    "compare.curve_segment": "Curves per segment value",
    "compare.metric": "Metric",
    "compare.other": "Other",
    "compare.trend_title": "{metric} by {segment}",
    "compare.trend_caption": (
        "Each line is its own customer base: the period metrics of the orders with that value (top {top} values "
        "by customers; the rest as Other). The incomplete period is left out."
    ),
    "compare.curves_title": "Average cohort curve by {segment}",
    "compare.curves_caption": (
        "Each curve averages the cohorts of the customers with that value (their first order with it); top {top} "
        "values by customers, the rest as Other."
    ),
    "notes.annotations": "Annotations on the time charts ({n})",
    "notes.annotations_help": (
        "Dated notes such as \"promo started\" or \"price change\", drawn as dotted lines on every time chart of "
        "this dataset and in the HTML report."
    ),
    "notes.annotate_role": "Editors and admins can add annotations.",
    "notes.date": "Date",
    "notes.label": "Annotation",
    "notes.label_hint": "e.g. promo started",
    "notes.add_annotation": "Add",
    "notes.delete": "Delete",
    "notes.title": "Team notes for the week from {week}",
    "notes.none": "No notes for this week yet.",
    "notes.by": "{author} · {when} UTC",
    "notes.new": "New note (what the team decided)",
    "notes.new_hint": "e.g. call the at-risk champions before Friday",
    "notes.add": "Add note",
    "column.cell_revenue": "Revenue in the cell",
    "column.period_revenue": "Revenue in the period",
    "column.user_id": "User",
    "column.entered_at": "Entered",
    "column.reached_at": "Reached the step",
    "column.furthest_step": "Furthest step",
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
    "drill.rfm_all": "Все клиенты",
    "drill.hint_funnel": "Нажмите на шаг, чтобы увидеть пользователей, дошедших до него.",
    "drill.funnel": "Дошли до шага {step}: {label}",
    "drill.count_users": "{n} пользователей · весь список скачивается в CSV.",
    "compare.basis": "Сравнить с",
    "compare.basis.previous": "предыдущим периодом",
    "compare.basis.last_year": "тем же периодом год назад",
    "compare.basis.custom": "другим диапазоном дат",
    "compare.basis_help": (
        "С чем сравнивается изменение на каждой плитке. Другой диапазон: плитки показывают первый диапазон "
        "(деньги и потоки клиентов складываются, клиенты на начало/конец усредняются, доли считаются по сумме "
        "частей: CRR = Σ(E − N) / ΣS) против второго."
    ),
    "compare.cmp_from": "Диапазон: с",
    "compare.cmp_to": "по",
    "compare.base_from": "Сравнить с: с",
    "compare.base_to": "по",
    "compare.caption.custom": (
        "Плитки: {a} – {b} против {c} – {d} (периоды, начинающиеся в каждом диапазоне; доли — по сумме частей). "
        "NRR и отток выручки за диапазон не считаются."
    ),
    "compare.caption.last_year": "Плитки: период с {period} против того же периода годом раньше.",
    "compare.caption.no_last_year": "Плитки: период с {period}; в данных нет периода годом раньше для сравнения.",
    "compare.year_earlier": "годом раньше",
    "compare.trend_vs.last_year": "{metric}: каждый период против того же периода годом раньше",
    "compare.trend_vs.custom": "{metric}: диапазон против другого, период за периодом",
    "compare.no_segment": "без разбивки",
    "compare.top": "Значений",
    "compare.top_help": "Сколько значений сегмента (с наибольшим числом клиентов) получают свою линию; остальные — одна линия «Прочие».",
    "compare.trend_segment": "Линии по значениям сегмента",
    "compare.curve_segment": "Кривые по значениям сегмента",
    "compare.metric": "Метрика",
    "compare.other": "Прочие",
    "compare.trend_title": "{metric} по «{segment}»",
    "compare.trend_caption": (
        "Каждая линия — своя клиентская база: метрики периода по заказам с этим значением (топ-{top} значений "
        "по числу клиентов; остальные — «Прочие»). Незавершённый период не показан."
    ),
    "compare.curves_title": "Средняя кривая когорт по «{segment}»",
    "compare.curves_caption": (
        "Каждая кривая усредняет когорты клиентов с этим значением (по их первому заказу с ним); топ-{top} "
        "значений по числу клиентов, остальные — «Прочие»."
    ),
    "notes.annotations": "Пометки на графиках по времени ({n})",
    "notes.annotations_help": (
        "Пометки с датой, например «старт акции» или «смена цен»: пунктирные линии на всех графиках по времени "
        "этого набора данных и в HTML-отчёте."
    ),
    "notes.annotate_role": "Добавлять пометки могут редакторы и администраторы.",
    "notes.date": "Дата",
    "notes.label": "Пометка",
    "notes.label_hint": "например, старт акции",
    "notes.add_annotation": "Добавить",
    "notes.delete": "Удалить",
    "notes.title": "Заметки команды за неделю с {week}",
    "notes.none": "За эту неделю заметок пока нет.",
    "notes.by": "{author} · {when} UTC",
    "notes.new": "Новая заметка (что решила команда)",
    "notes.new_hint": "например, позвонить «чемпионам» под угрозой до пятницы",
    "notes.add": "Добавить заметку",
    "column.cell_revenue": "Выручка в ячейке",
    "column.period_revenue": "Выручка в периоде",
    "column.user_id": "Пользователь",
    "column.entered_at": "Вход в воронку",
    "column.reached_at": "Дошёл до шага",
    "column.furthest_step": "Дальний шаг",
}
