"""Uploads in an S3-compatible object store (``STORAGE_BACKEND=s3``, shop/storage.py),
against a local S3 server the test starts (moto's server, on 127.0.0.1): the same keys,
the objects carry the cache headers, ``/media/`` serves them with the shop's headers,
private slips only through their access-checked view, and two hosts see the same
files."""

from __future__ import annotations

import io
import socket

import pytest
from PIL import Image

from shop import create_app
from shop.catalog import images
from shop.extensions import db
from shop.storage import PRIVATE_CACHE, PUBLIC_CACHE
from tests.factories import ProductFactory, VariantFactory
from tests.order_helpers import make_order, slip_image

BUCKET = "chumchon-test-media"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def s3_server():
    from moto.server import ThreadedMotoServer

    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


@pytest.fixture
def app_config(app_config, s3_server):
    import boto3

    client = boto3.client("s3", endpoint_url=s3_server, region_name="us-east-1", aws_access_key_id="test",
                          aws_secret_access_key="test")
    existing = [b["Name"] for b in client.list_buckets().get("Buckets", [])]
    if BUCKET not in existing:
        client.create_bucket(Bucket=BUCKET)
    for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", []):
        client.delete_object(Bucket=BUCKET, Key=item["Key"])
    return {**app_config, "STORAGE_BACKEND": "s3", "S3_BUCKET": BUCKET, "S3_ENDPOINT_URL": s3_server,
            "S3_REGION": "us-east-1", "S3_ACCESS_KEY_ID": "test", "S3_SECRET_ACCESS_KEY": "test",
            "S3_PREFIX": "media", "UPLOAD_DIR": "/nonexistent/never-written"}


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (800, 600), (140, 90, 50)).save(buffer, format="PNG")
    return buffer.getvalue()


def _objects(app) -> dict[str, dict]:
    from shop.storage import backend

    with app.app_context():
        store = backend()
        listing = store.client.list_objects_v2(Bucket=BUCKET).get("Contents", [])
        return {item["Key"]: store.client.head_object(Bucket=BUCKET, Key=item["Key"]) for item in listing}


def test_a_photo_is_stored_in_the_bucket_and_served_at_media(app, client, app_config):
    stored = images.process_upload(_png(), folder="products")
    objects = _objects(app)
    keys = {f"media/products/{stored.image_key}-{size}.webp" for size in ("thumb", "card", "full")}
    assert keys <= set(objects)
    for key in keys:
        assert objects[key]["ContentType"] == "image/webp"
        assert objects[key]["CacheControl"] == PUBLIC_CACHE
    response = client.get(f"/media/products/{stored.image_key}-card.webp")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "image/webp"
    assert response.headers["Cache-Control"] == PUBLIC_CACHE
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert Image.open(io.BytesIO(response.data)).size[0] <= 480
    # Conditional requests answer 304.
    again = client.get(f"/media/products/{stored.image_key}-card.webp",
                       headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304
    assert client.get("/media/products/ffffffffffffffffffffffffffffffff-card.webp").status_code == 404
    assert client.get("/media/../config.py").status_code == 404

    # A second host reads the same bucket.
    other = create_app(app_config)
    assert other.test_client().get(f"/media/products/{stored.image_key}-card.webp").data == response.data

    images.delete_image("products", stored.image_key)
    assert not keys & set(_objects(app))
    assert client.get(f"/media/products/{stored.image_key}-card.webp").status_code == 404


def test_a_slip_is_private_in_the_bucket_and_only_its_view_serves_it(app, client):
    from shop.payments import slips

    variant = VariantFactory(product=ProductFactory(), price_satang=10_000, stock=5)
    order = make_order([(variant, 1)])
    slip = slips.submit_slip(order, slip_image(), actor=None)
    db.session.commit()
    objects = _objects(app)
    full = f"media/private/slips/{slip.image_key}-full.webp"
    assert objects[full]["CacheControl"] == PRIVATE_CACHE
    # Never at /media/, even with its key.
    assert client.get(f"/media/private/slips/{slip.image_key}-full.webp").status_code == 404
    with app.test_request_context("/"):
        response = slips.slip_image_response(slip, "thumb")
    assert response.status_code == 200 and response.headers["Cache-Control"] == PRIVATE_CACHE
    assert response.headers["Referrer-Policy"] == "no-referrer"


def test_s3_without_a_bucket_or_an_unknown_backend_refuses_to_start(app_config):
    with pytest.raises(RuntimeError, match="S3_BUCKET"):
        create_app({**app_config, "S3_BUCKET": ""})
    with pytest.raises(RuntimeError, match="local or s3"):
        create_app({**app_config, "STORAGE_BACKEND": "ftp"})
