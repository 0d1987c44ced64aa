"""Which engine computed the numbers (SPEC §9): captions under the retention tables."""

EN = {
    "engine.by_duckdb": "Customer × period table computed by DuckDB (embedded) from the orders.",
    "engine.by_spark": "Customer × period table computed by Spark ({master}) from the orders.",
    "engine.by_saved": "Customer × period table computed by {engine} when the dataset was saved, and read from it "
                       "(the orders were not grouped again).",
}

RU = {
    "engine.by_duckdb": "Таблица «клиент × период» посчитана DuckDB (встроенный движок) по заказам.",
    "engine.by_spark": "Таблица «клиент × период» посчитана Spark ({master}) по заказам.",
    "engine.by_saved": "Таблица «клиент × период» посчитана {engine} при сохранении набора данных и прочитана из него "
                       "(заказы заново не группировались).",
}
