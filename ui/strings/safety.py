"""Link notices (URL parameters clamped or ignored on restore) and the Data page's bad-input texts (SPEC §10)."""

EN = {
    "url.ignored": "The link's value {value} for “{param}” cannot be used here (wrong type, out of range or made for "
                   "another dataset); the default is shown instead.",
    "url.clamped": "The link's value {value} for “{param}” is outside the allowed range; the nearest allowed value "
                   "is used.",
    "data.wide_dates": "Allow dates from 1900 to 2200",
    "data.wide_dates_help": "By default rows dated before 1970 or more than a year ahead are rejected as typing "
                            "errors (years like 0001 or 9999). Turn this on for historic or planned data.",
    "data.upload_limit_help": "Files up to {mb} MB. For a bigger export, put it (or a folder of Parquet files) in the "
                         "server's data folder and choose “A file or Parquet folder on the server”.",
    "data.ids_normalised": "{n} ids were normalised (Unicode form, invisible characters, spaces or stray quotes "
                           "removed), so equal-looking ids count as one customer.",
    "data.timezone_converted": "{n} timestamps had a time-zone offset and were converted to {zone}.",
}

RU = {
    "url.ignored": "Значение {value} параметра ссылки «{param}» здесь не подходит (неверный тип, вне диапазона или "
                   "ссылка сделана для другого набора данных); показано значение по умолчанию.",
    "url.clamped": "Значение {value} параметра ссылки «{param}» вне допустимого диапазона; использовано ближайшее "
                   "допустимое.",
    "data.wide_dates": "Разрешить даты с 1900 по 2200 год",
    "data.wide_dates_help": "По умолчанию строки с датой раньше 1970 года или больше чем на год вперёд отклоняются "
                            "как опечатки (годы вроде 0001 или 9999). Включите для исторических или плановых данных.",
    "data.upload_limit_help": "Файлы до {mb} МБ. Выгрузку больше положите (или папку файлов Parquet) в папку данных "
                         "сервера и выберите «Файл или папка Parquet на сервере».",
    "data.ids_normalised": "Нормализовано идентификаторов: {n} (форма Юникода, невидимые символы, пробелы или "
                           "лишние кавычки), так что одинаковые на вид id считаются одним клиентом.",
    "data.timezone_converted": "Меток времени с часовым поясом: {n}; переведены в {zone}.",
}
