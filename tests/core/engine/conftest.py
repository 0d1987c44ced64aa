"""One SparkSession for the whole test run (session scope), stopped at the end.

Spark tests carry ``xdist_group("spark")`` and ``make test`` runs ``--dist loadgroup``, so they all
run on one worker: one JVM, one session, for the whole run. They are skipped, with the reason, only
when Java is missing (``.ci/run`` installs it).
"""

from __future__ import annotations

import os
import shutil

import pytest


@pytest.fixture(scope="session")
def spark_session():
    if shutil.which("java") is None:
        pytest.skip("Spark tests need Java 17+ (apt-get install default-jre-headless; .ci/run installs it)")
    pytest.importorskip("pyspark", reason="pyspark is pinned in requirements-dev.txt")
    from retention_core.engine import spark

    os.environ.setdefault(spark.MASTER_ENV, "local[2]")
    os.environ.setdefault("RETENTION_SPARK_PARTITIONS", "2")  # test tables are small: few shuffle tasks

    session = spark.session()
    yield session
    spark.stop()
