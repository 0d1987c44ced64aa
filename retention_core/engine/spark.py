"""Spark, for data that outgrows one machine: the same SQL, transpiled, over a Parquet lake.

One session per process (:func:`session`), made on first use from ``$RETENTION_SPARK_MASTER``:
``local[2]`` (the default: Spark inside this process's JVM, two cores) or ``sc://host:15002`` (a
Spark Connect server in front of a cluster; ``pyspark[connect]``'s client). A Parquet path or URI is
read by Spark itself (on a cluster it must be a path the cluster sees: ``s3a://…``, ``hdfs://…``, a
shared mount); a polars frame is sent as Arrow batches. The compact result comes back as Arrow.

Session time zone is UTC and timestamps without a zone are read as they are, so a day is the same
day in both engines.
"""

from __future__ import annotations

import os
import threading

import polars as pl

from retention_core.errors import RetentionError


class EngineUnavailableError(RetentionError):
    """The Spark engine was chosen but cannot start (no pyspark, no Java, no server at the URL)."""

    code = "engine_unavailable"

MASTER_ENV = "RETENTION_SPARK_MASTER"
DEFAULT_MASTER = "local[2]"

_lock = threading.Lock()
_session = None


def master() -> str:
    """The Spark master or Spark Connect URL in force (``$RETENTION_SPARK_MASTER`` or ``local[2]``)."""
    return os.environ.get(MASTER_ENV, "").strip() or DEFAULT_MASTER


def session():
    """The process's SparkSession, created on first use (``local[…]`` master or ``sc://`` remote)."""
    global _session
    with _lock:
        if _session is None:
            url = master()
            try:
                from pyspark.sql import SparkSession
            except ImportError as exc:
                msg = ("the Spark engine needs pyspark (pip install pyspark==4.3.0; for sc:// URLs "
                       "pyspark[connect]) and Java 17+; or choose --engine duckdb")
                raise EngineUnavailableError(msg, engine="spark") from exc
            builder = SparkSession.builder.appName("retention-dashboard")
            if url.startswith("sc://"):
                builder = builder.remote(url)
            else:
                builder = (
                    builder.master(url)
                    .config("spark.ui.enabled", "false")
                    .config("spark.ui.showConsoleProgress", "false")
                    .config("spark.sql.shuffle.partitions", os.environ.get("RETENTION_SPARK_PARTITIONS", "4"))
                    .config("spark.driver.memory", os.environ.get("RETENTION_SPARK_DRIVER_MEMORY", "4g"))
                    .config("spark.driver.extraJavaOptions", "-Duser.timezone=UTC")
                    .config("spark.sql.execution.arrow.pyspark.enabled", "true")
                )
            builder = builder.config("spark.sql.session.timeZone", "UTC")
            try:
                _session = builder.getOrCreate()
            except Exception as exc:  # py4j / JVM / gRPC errors have no common base
                first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
                msg = f"Spark at {url} did not start: {first}; check Java 17+ and the master URL, or choose --engine duckdb"
                raise EngineUnavailableError(msg, engine="spark", master=url) from exc
            if not url.startswith("sc://"):
                _session.sparkContext.setLogLevel("ERROR")
        return _session


def stop() -> None:
    """Stop the process's session (tests call this once at the end of the run)."""
    global _session
    with _lock:
        if _session is not None:
            _session.stop()
            _session = None


def run(sql: str, src, columns: tuple[str, ...]) -> pl.DataFrame:  # noqa: ANN001 - engine.Source
    """Run ``sql`` (Spark dialect, over the view ``src``) on ``src`` and return the result as polars."""
    spark = session()
    if src.frame is not None:
        frame = spark.createDataFrame(src.frame.select(columns).to_arrow())
    else:
        if src.fmt == "csv":
            frame = spark.read.option("header", True).option("inferSchema", True).csv(src.path)
        else:
            frame = spark.read.option("recursiveFileLookup", True).parquet(src.path)
        frame = frame.selectExpr(*(f"`{src.header(c)}` AS {c}" for c in columns))
    view = "src"
    frame.createOrReplaceTempView(view)
    try:
        return pl.from_arrow(spark.sql(sql).toArrow())  # type: ignore[return-value]
    finally:
        spark.catalog.dropTempView(view)
