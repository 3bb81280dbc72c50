"""A local S3 API for the tests: moto's standalone server (ThreadedMotoServer) on a free port
of 127.0.0.1, one per test session, with throwaway keys. Each test that needs a store creates a
bucket of its own (`new_bucket`), so no test sees another's objects."""
from __future__ import annotations

import itertools
import os

import pytest

# moto accepts any keys; these only keep boto3 from looking for real ones.
CREDENTIALS = {"AWS_ACCESS_KEY_ID": "test-only", "AWS_SECRET_ACCESS_KEY": "test-only",
               "AWS_DEFAULT_REGION": "us-east-1"}
_buckets = itertools.count(1)


@pytest.fixture(scope="session")
def object_store_server():
    """The moto server's endpoint URL, with the keys set in this process's environment (boto3
    reads them there, as in production)."""
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    with pytest.MonkeyPatch.context() as patch:
        for name, value in CREDENTIALS.items():
            patch.setenv(name, value)
        yield f"http://{host}:{port}"
    server.stop()


def new_bucket(endpoint: str) -> str:
    """A fresh, empty bucket on the server; its name."""
    import boto3

    name = f"motcua-test-{os.getpid()}-{next(_buckets)}"
    boto3.client("s3", endpoint_url=endpoint).create_bucket(Bucket=name)
    return name
