"""Benchmarks in the JSON API: published rows, community submissions and their trust ladder
(queued → approved → reproduced), the editors' admin, regressions between builds."""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import cache
from django.db import IntegrityError, connection
from django.test import Client

from runlocal_web.api import trust
from runlocal_web.api.models import Submission
from runlocal_web.catalogdb.store import current_catalog

from . import factory
from .test_api_check import assert_error, fields, post_json

URL = "/api/v1/benchmarks"
HOSTILE = '<script>alert("x")</script>'


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    cache.clear()


def result(**overrides: Any) -> dict[str, Any]:
    """A plausible llama-bench result for TestLlama 8B on the TestGPU."""
    data: dict[str, Any] = {
        "hardware": "testgpu-24gb",
        "model": "testllama-8b",
        "quant": "Q4_K_M",
        "runtime": "llama.cpp",
        "backend": "cuda",
        "build": "version: 6918 (2f68ce7cf)",
        "prompt_tokens": 512,
        "gen_tokens": 128,
        "tg_tok_s": 130.5,
        "pp_tok_s": 9000.0,
        "command": "llama-bench -m testllama-8b-Q4_K_M.gguf -p 512 -n 128",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def submit(client: Any, ip: str = "192.0.2.1", **overrides: Any) -> Any:
    return post_json(client, URL, result(**overrides), REMOTE_ADDR=ip)


def submitted(client: Any, ip: str = "192.0.2.1", **overrides: Any) -> Submission:
    r = submit(client, ip, **overrides)
    assert r.status_code == 201, r.content
    return Submission.objects.get(pk=r.json()["id"])


def approve(admin_client: Any, *subs: Submission, action: str = "approve") -> Any:
    r = admin_client.post(
        "/admin/api/submission/",
        {"action": action, "_selected_action": [s.pk for s in subs]},
        follow=True,
    )
    assert r.status_code == 200
    return r


def listed(client: Any, **params: Any) -> list[dict[str, Any]]:
    r = client.get(URL, {"limit": 500, **params})
    assert r.status_code == 200, r.content
    return r.json()["items"]


def community(client: Any, **params: Any) -> list[dict[str, Any]]:
    return [row for row in listed(client, **params) if row["origin"] == "community"]


# --- submitting ---------------------------------------------------------------------------


def test_it_queues_a_plausible_result(client: Any, tiny: Path) -> None:
    r = submit(client, contact="me@example.org", notes="quiet room")
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["trust"] == "queued" and body["model"] == "testllama-8b"
    assert body["hardware"] == "testgpu-24gb" and body["quant"] == "Q4_K_M"
    assert 250 < body["roofline"]["decode_tok_s_max"] < 300
    assert r["Cache-Control"] == "no-store"
    sub = Submission.objects.get(pk=body["id"])
    assert sub.status == "queued" and sub.runtime == "llama.cpp"
    assert sub.contact == "me@example.org" and "192.0.2.1" not in sub.network_key
    assert len(sub.fingerprint) == 64
    # Never published before review.
    assert community(client) == []


def test_it_resolves_names_and_aliases(client: Any, tiny: Path) -> None:
    sub = submitted(client, hardware="TG 24", model="TL 8B", quant="q4_k_m", runtime="LlamaCpp")
    assert (sub.hardware_id, sub.model_id, sub.quant, sub.runtime) == (
        "testgpu-24gb",
        "testllama-8b",
        "Q4_K_M",
        "llama.cpp",
    )


def test_it_reads_the_device_count_from_the_name(client: Any, tiny: Path) -> None:
    sub = submitted(client, hardware="2x TG 24", tg_tok_s=200.0)
    assert sub.n_devices == 2 and sub.hardware_id == "testgpu-24gb"
    r = submit(client, hardware="2x TG 24", n_devices=3)
    assert fields(assert_error(r, 422)) == {"n_devices"}


def test_it_accepts_a_described_device(client: Any, tiny: Path) -> None:
    device = {"name": "Homebrew GPU", "memory_gib": 16.0, "bandwidth_gb_s": 448.0}
    sub = submitted(client, hardware=None, device=device, tg_tok_s=60.0, pp_tok_s=None)
    assert sub.hardware_id == "" and sub.device_bandwidth_gb_s == 448.0
    # 448 GB/s cannot read 4.6 GB more than ~120 times a second.
    r = submit(client, hardware=None, device=device, tg_tok_s=200.0, pp_tok_s=None)
    assert fields(assert_error(r, 422)) == {"tg_tok_s"}


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"hardware": None}, None),
        ({"device": {"name": "x", "memory_gib": 8, "bandwidth_gb_s": 100}}, None),
        ({"tg_tok_s": None, "pp_tok_s": None}, None),
        ({"gen_tokens": 0}, "gen_tokens"),
        ({"prompt_tokens": 0}, "prompt_tokens"),
        ({"model": "testllama 9"}, "model"),
        ({"hardware": "RTX 9999"}, "hardware"),
        ({"quant": "Q9_Z"}, "quant"),
        ({"backend": "opencl"}, "backend"),
        ({"tg_tok_s": "130"}, "tg_tok_s"),
        ({"tg_tok_s": -1.0}, "tg_tok_s"),
        ({"tg_tok_s": True}, "tg_tok_s"),
        ({"n_devices": 0}, "n_devices"),
        ({"n_devices": 1.0}, "n_devices"),
        ({"file_sha256": "abc"}, "file_sha256"),
        ({"notes": "x" * 4001}, "notes"),
        ({"notes": "nul\x00byte"}, "notes"),
        ({"command": "\ud800"}, "command"),
        ({"device_name": "x"}, "device_name"),
        ({"hardware": None, "device": {"name": "x", "memory_gib": 8}}, "device.bandwidth_gb_s"),
        (
            {
                "hardware": None,
                "device": {"name": "x", "memory_gib": 8, "bandwidth_gb_s": 1, "w": 1},
            },
            "device.w",
        ),
    ],
)
def test_it_refuses_invalid_submissions(
    client: Any, tiny: Path, overrides: dict[str, Any], field: str | None
) -> None:
    data = result(**overrides)
    if overrides.get("tg_tok_s", 1) is None:
        data.pop("tg_tok_s", None)
    body = assert_error(post_json(client, URL, data), 422)
    assert field in fields(body)
    assert Submission.objects.count() == 0


def test_it_suggests_known_names(client: Any, tiny: Path) -> None:
    body = assert_error(submit(client, model="testllama 9"), 422)
    assert "TestLlama 8B" in body["errors"][0]["suggestions"]
    body = assert_error(submit(client, model="nope", hardware="TG 99", quant="Q9"), 422)
    assert fields(body) == {"model", "hardware", "quant"}
    assert body["error"].endswith("(and 2 more)")


def test_it_refuses_a_model_without_an_architecture(client: Any, tiny: Path) -> None:
    factory.model(
        tiny,
        "test-diffusion",
        name="Test Diffusion",
        aliases=[],
        modality="image",
        architecture=None,
        files=[],
        components=[{"name": "unet", "params_b": 2.6, "dtype": "fp16"}],
    )
    factory.sync()
    body = assert_error(submit(client, model="test-diffusion"), 422)
    assert fields(body) == {"model"}


@pytest.mark.parametrize(
    ("overrides", "bad"),
    [
        ({"tg_tok_s": 400.0}, {"tg_tok_s"}),
        ({"pp_tok_s": 30_000.0}, {"pp_tok_s"}),
        ({"tg_tok_s": 400.0, "pp_tok_s": 30_000.0}, {"tg_tok_s", "pp_tok_s"}),
        ({"quant": "F16", "tg_tok_s": 100.0}, {"tg_tok_s"}),
    ],
)
def test_it_refuses_physically_implausible_speeds(
    client: Any, tiny: Path, overrides: dict[str, Any], bad: set[str]
) -> None:
    body = assert_error(submit(client, **overrides), 422)
    assert fields(body) == bad
    assert body["error"].startswith("implausible: ")
    assert "roofline" in body["errors"][0]["message"]


def test_it_answers_409_for_the_same_result_twice(client: Any, tiny: Path) -> None:
    assert submit(client, notes="first").status_code == 201
    # Another client, other notes: still the same measurement.
    r = submit(client, ip="198.51.100.7", notes="again", contact="other@example.org")
    body = assert_error(r, 409)
    assert "already submitted" in body["error"]
    assert Submission.objects.count() == 1
    # A different number is a different result.
    assert submit(client, tg_tok_s=131.0).status_code == 201


def test_it_relies_on_the_database_for_duplicates(tiny: Path) -> None:
    client = Client()
    first = submitted(client)
    twin = Submission.objects.get(pk=first.pk)
    twin.pk = None
    with pytest.raises(IntegrityError):
        twin.save()


@pytest.mark.django_db(transaction=True)
def test_it_stores_concurrent_duplicates_once(catalog_dir: Path) -> None:
    if connection.vendor == "sqlite":
        # The in-memory test database's shared cache locks tables across threads at once
        # (no busy wait, unlike a database file); the constraint itself is tested above.
        pytest.skip("concurrent writers are tested on PostgreSQL")
    factory.tiny_catalog(catalog_dir)
    factory.sync()
    statuses: list[int] = []
    barrier = threading.Barrier(4)

    def send() -> None:
        try:
            barrier.wait()
            r = submit(Client())
            statuses.append(r.status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert Submission.objects.count() == 1
    assert sorted(statuses)[0] == 201 and statuses.count(201) == 1
    assert set(statuses) <= {201, 409}


def test_it_refuses_large_submissions(client: Any, tiny: Path) -> None:
    r = submit(client, notes="x" * 70_000)
    assert_error(r, 413)


def test_it_rate_limits_submissions(client: Any, tiny: Path, settings: Any) -> None:
    settings.API_RATE_LIMITS = {"submit": (2, 3600)}
    assert submit(client, tg_tok_s=120.0).status_code == 201
    assert submit(client, model="nope").status_code == 422  # invalid ones count too
    r = submit(client, tg_tok_s=121.0)
    assert_error(r, 429)
    assert 1 <= int(r["Retry-After"]) <= 3600
    assert submit(client, ip="192.0.2.99", tg_tok_s=122.0).status_code == 201
    assert client.get(URL).status_code == 200  # reading is not limited


# --- the trust ladder ---------------------------------------------------------------------


def test_it_publishes_what_an_editor_approves(client: Any, admin_client: Any, tiny: Path) -> None:
    sub = submitted(client, ttft_ms=85.0)
    r = approve(admin_client, sub)
    assert b"1 submission(s) approved" in r.content
    sub.refresh_from_db()
    assert sub.status == "approved" and sub.reviewed_by is not None and sub.reviewed_at
    rows = community(client)
    assert {r["metric"] for r in rows} == {"tg_tok_s", "pp_tok_s", "ttft_ms"}
    tg = next(r for r in rows if r["metric"] == "tg_tok_s")
    assert tg["trust"] == "approved" and tg["value"] == 130.5 and tg["unit"] == "tok/s"
    assert tg["hardware"] == "testgpu-24gb" and tg["submission"]["id"] == sub.pk
    assert "contact" not in tg and "192.0.2.1" not in str(rows)
    ttft = next(r for r in rows if r["metric"] == "ttft_ms")
    assert ttft["unit"] == "ms"


def test_it_never_publishes_rejected_results(client: Any, admin_client: Any, tiny: Path) -> None:
    sub = submitted(client)
    approve(admin_client, sub, action="reject")
    sub.refresh_from_db()
    assert sub.status == "rejected"
    assert community(client) == []


def test_it_marks_independent_agreeing_results_reproduced(
    client: Any, admin_client: Any, tiny: Path
) -> None:
    a = submitted(client, contact="a@example.org")
    b = submitted(
        client,
        ip="198.51.100.2",
        contact="b@example.org",
        tg_tok_s=125.0,
        pp_tok_s=8700.0,
        build="b7000",
    )
    approve(admin_client, a)
    a.refresh_from_db()
    assert a.status == "approved"  # b is still queued

    r = approve(admin_client, b)
    assert b"reproduced" in r.content
    a.refresh_from_db()
    b.refresh_from_db()
    assert (a.status, b.status) == ("reproduced", "reproduced")
    assert a.reproduced_by_id == b.pk and b.reproduced_by_id == a.pk
    assert {row["trust"] for row in community(client)} == {"reproduced"}
    assert len(community(client, trust="reproduced")) == 4
    assert community(client, trust="approved") == []

    # Rejecting one takes the other back down to approved.
    approve(admin_client, b, action="reject")
    a.refresh_from_db()
    b.refresh_from_db()
    assert (a.status, a.reproduced_by_id) == ("approved", None)
    assert (b.status, b.reproduced_by_id) == ("rejected", None)


def test_it_needs_agreement_within_ten_percent(client: Any, admin_client: Any, tiny: Path) -> None:
    a = submitted(client, contact="a@example.org")
    b = submitted(client, ip="198.51.100.2", contact="b@example.org", tg_tok_s=130.5 * 1.12)
    approve(admin_client, a, b)
    assert set(Submission.objects.values_list("status", flat=True)) == {"approved"}


def test_it_needs_an_independent_submitter(client: Any, admin_client: Any, tiny: Path) -> None:
    a = submitted(client, contact="same@example.org")
    # The same contact from another network.
    b = submitted(client, ip="198.51.100.2", contact="SAME@example.org ", tg_tok_s=131.0)
    approve(admin_client, a, b)
    assert set(Submission.objects.values_list("status", flat=True)) == {"approved"}
    # Another contact from the same network.
    approve(admin_client, b, action="reject")
    c = submitted(client, contact="other@example.org", tg_tok_s=131.5)
    approve(admin_client, c)
    a.refresh_from_db()
    c.refresh_from_db()
    assert (a.status, c.status) == ("approved", "approved")


def test_it_needs_the_same_setup(client: Any, admin_client: Any, tiny: Path) -> None:
    a = submitted(client, contact="a@example.org")
    b = submitted(client, ip="198.51.100.2", contact="b@example.org", context_tokens=4096)
    c = submitted(client, ip="198.51.100.3", contact="c@example.org", backend="vulkan")
    approve(admin_client, a, b, c)
    assert set(Submission.objects.values_list("status", flat=True)) == {"approved"}


def test_it_requeues_and_reviews_in_the_model(client: Any, admin_client: Any, tiny: Path) -> None:
    a = submitted(client, contact="a@example.org")
    b = submitted(client, ip="198.51.100.2", contact="b@example.org", tg_tok_s=129.0)
    approve(admin_client, a, b)
    assert Submission.objects.filter(status="reproduced").count() == 2
    approve(admin_client, a, action="requeue")
    assert dict(Submission.objects.values_list("pk", "status")) == {
        a.pk: "queued",
        b.pk: "approved",
    }
    with pytest.raises(ValueError):
        trust.review([a], "reproduced")


# --- hostile strings ----------------------------------------------------------------------


def test_it_stores_hostile_strings_as_sent_and_escapes_them(
    client: Any, admin_client: Any, tiny: Path
) -> None:
    device = {"name": HOSTILE, "memory_gib": 24.0, "bandwidth_gb_s": 1000.0}
    sub = submitted(
        client,
        hardware=None,
        device=device,
        build=HOSTILE,
        notes=HOSTILE + "\n' OR 1=1; --",
        command='"><img src=x onerror=alert(1)>',
        contact=HOSTILE,
    )
    sub.refresh_from_db()
    assert sub.notes == HOSTILE + "\n' OR 1=1; --" and sub.device_name == HOSTILE

    changelist = admin_client.get("/admin/api/submission/")
    change = admin_client.get(f"/admin/api/submission/{sub.pk}/change/")
    for page in (changelist, change):
        assert page.status_code == 200
        assert HOSTILE.encode() not in page.content
        assert b"&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page.content
    assert b"<img src=x" not in change.content
    assert b"&lt;img src=x onerror=alert(1)&gt;" in change.content

    approve(admin_client, sub)
    rows = community(client)
    assert rows[0]["notes"].startswith(HOSTILE)  # JSON carries the text as it is
    assert rows[0]["device"]["name"] == HOSTILE


def test_it_offers_no_add_form(admin_client: Any, tiny: Path) -> None:
    assert admin_client.get("/admin/api/submission/add/").status_code == 403


# --- listing ------------------------------------------------------------------------------


def _bench_rows(tiny: Path) -> None:
    rows = [
        ("tg_tok_s", 120.0, "build aaa (6000)"),
        ("tg_tok_s", 124.0, "build bbb (6500)"),
        ("tg_tok_s", 100.0, "build ccc (7000)"),  # 19% below 6500's
        ("pp_tok_s", 9000.0, "build aaa (6000)"),
        ("pp_tok_s", 8800.0, "build ccc (7000)"),  # 2% below: noise
    ]
    factory.benchmark(
        tiny,
        "tiny-bench",
        hardware="testgpu-24gb",
        trust="published",
        results=[
            {
                "model": "testllama-8b",
                "quant": "Q4_K_M",
                "runtime": "llama.cpp (CUDA)",
                "backend": "cuda",
                "build": build,
                "n_devices": 1,
                "metric": metric,
                "prompt_tokens": 512 if metric == "pp_tok_s" else 0,
                "gen_tokens": 128 if metric == "tg_tok_s" else 0,
                "value": value,
                "command": "llama-bench",
            }
            for metric, value, build in rows
        ],
    )
    factory.sync()


def test_it_lists_published_catalog_rows(client: Any, tiny: Path) -> None:
    _bench_rows(tiny)
    r = client.get(URL)
    body = r.json()
    assert body["count"] == 5
    row = body["items"][0]
    assert row["id"] == "tiny-bench-r1" and row["origin"] == "catalog"
    assert row["trust"] == "published" and row["set"]["id"] == "tiny-bench"
    assert row["sources"] == ["https://example.org/specs/tiny-bench"]
    assert r["Cache-Control"] == "public, max-age=60" and r.has_header("ETag")


def test_it_filters_benchmarks(client: Any, admin_client: Any, tiny: Path) -> None:
    _bench_rows(tiny)
    sub = submitted(
        client, hardware=None, device={"name": "X", "memory_gib": 24.0, "bandwidth_gb_s": 1000.0}
    )
    approve(admin_client, sub)
    assert len(listed(client, metric="pp_tok_s")) == 3
    assert len(listed(client, hardware="TG 24")) == 5
    assert len(listed(client, model="TL 8B", metric="tg_tok_s")) == 4
    assert len(listed(client, quant="q4_k_m")) == 7
    assert len(listed(client, trust="published")) == 5
    assert len(listed(client, trust="approved")) == 2
    assert listed(client, quant="Q8_0") == []
    assert listed(client, backend="metal") == []
    assert fields(assert_error(client.get(URL, {"trust": "queued"}), 422)) == {"trust"}
    assert fields(assert_error(client.get(URL, {"model": "nope"}), 400)) == {"model"}
    assert fields(assert_error(client.get(URL, {"sort": "x"}), 422)) == {"sort"}


def test_it_changes_the_etag_when_a_result_is_published(
    client: Any, admin_client: Any, tiny: Path
) -> None:
    etag = client.get(URL)["ETag"]
    sub = submitted(client)
    assert client.get(URL, HTTP_IF_NONE_MATCH=etag).status_code == 304  # queued: unchanged
    approve(admin_client, sub)
    assert client.get(URL, HTTP_IF_NONE_MATCH=etag).status_code == 200


def test_it_lists_build_regressions(client: Any, admin_client: Any, tiny: Path) -> None:
    _bench_rows(tiny)
    body = client.get(f"{URL}/regressions").json()
    assert body["count"] == 1
    (reg,) = body["items"]
    assert reg["setup"]["metric"] == "tg_tok_s" and reg["setup"]["runtime"] == "llama.cpp"
    assert reg["older"]["build"] == "build bbb (6500)" and reg["older"]["value"] == 124.0
    assert reg["newer"]["build"] == "build ccc (7000)" and reg["change_pct"] == -19.4

    # A community result on a newer build, slower again, joins the same setup.
    sub = submitted(client, build="b7100", tg_tok_s=90.0, pp_tok_s=None, gen_tokens=128)
    approve(admin_client, sub)
    body = client.get(f"{URL}/regressions", {"model": "testllama-8b"}).json()
    assert body["count"] == 2
    assert {r["newer"]["build"] for r in body["items"]} == {"build ccc (7000)", "b7100"}
    assert client.get(f"{URL}/regressions", {"hardware": "M9 Max"}).json()["count"] == 0


@pytest.mark.parametrize(
    ("build", "order"),
    [
        ("build 2f68ce7cf (6918)", (6918,)),
        ("version: 6918 (2f68ce7cf)", (6918,)),
        ("b6918", (6918,)),
        ("6918", (6918,)),
        ("v0.6.3", (0, 6, 3)),
        ("0.11.0", (0, 11, 0)),
        ("build b828e18c7", None),
        ("May 2024 snapshot; CUDA 12.1.1", None),
        ("reference build 8e672ef (2023-11-21)", None),
        ("", None),
    ],
)
def test_it_orders_builds(build: str, order: tuple[int, ...] | None) -> None:
    assert trust.build_order(build) == order


def test_it_offers_community_measurements_to_the_engine(
    client: Any, admin_client: Any, tiny: Path
) -> None:
    queued = submitted(client, tg_tok_s=110.0)
    on_catalog = submitted(client, tg_tok_s=120.0, pp_tok_s=None)
    described = submitted(
        client,
        hardware=None,
        device={"name": "X", "memory_gib": 24.0, "bandwidth_gb_s": 1000.0},
        tg_tok_s=121.0,
    )
    approve(admin_client, on_catalog, described)
    rows = trust.community_measurements(current_catalog())
    assert [r["submission_id"] for r in rows] == [on_catalog.pk]
    (row,) = rows
    assert row["hardware"] == "testgpu-24gb" and row["metric"] == "tg_tok_s"
    assert row["value"] == 120.0 and row["trust"] == "approved"
    assert row["source"] == f"community submission #{on_catalog.pk}"
    assert {"model", "quant", "backend", "n_devices", "gen_tokens", "context_tokens"} <= set(row)
    assert queued.status == "queued"


@pytest.mark.parametrize("kind", ["text/plain", "application/x-www-form-urlencoded", ""])
def test_it_refuses_bodies_that_are_not_json(client: Any, tiny: Path, kind: str) -> None:
    """A hostile page's form or no-preflight fetch() sends text/plain: never parsed."""
    r = client.post(URL, data=json.dumps(result()), content_type=kind, REMOTE_ADDR="192.0.2.1")
    body = assert_error(r, 415)
    assert "application/json" in body["error"]
    assert not Submission.objects.exists()


@pytest.mark.parametrize(
    "headers",
    [
        {"HTTP_ORIGIN": "https://evil.example"},
        {"HTTP_ORIGIN": "null"},
        {"HTTP_SEC_FETCH_SITE": "cross-site"},
    ],
)
def test_it_refuses_cross_site_submissions(client: Any, tiny: Path, headers: dict) -> None:
    r = post_json(client, URL, result(), REMOTE_ADDR="192.0.2.1", **headers)
    assert_error(r, 403)
    assert not Submission.objects.exists()


def test_it_accepts_its_own_origin_and_clients_without_one(client: Any, tiny: Path) -> None:
    own = post_json(client, URL, result(tg_tok_s=120.0), HTTP_ORIGIN="http://testserver")
    assert own.status_code == 201, own.content
    assert submit(client, tg_tok_s=121.0).status_code == 201  # curl, the CLI: no Origin
    kind = "application/json; charset=utf-8"
    r = client.post(URL, data=json.dumps(result(tg_tok_s=122.0)), content_type=kind)
    assert r.status_code == 201


def test_a_layer_split_does_not_multiply_decode(client: Any, tiny: Path) -> None:
    """The attack: "64x" a GPU, 8B at Q4 and a decode rate no single device could reach."""
    one = submit(client, notes="probe", tg_tok_s=10.0).json()["roofline"]["decode_tok_s_max"]
    r = submit(client, hardware="64x TG 24", tg_tok_s=one * 10, pp_tok_s=None)
    body = assert_error(r, 422)
    assert fields(body) == {"tg_tok_s"} and "take turns" in body["errors"][0]["message"]
    # Tensor parallel (vLLM) reads side by side: faster than one device is plausible.
    sub = submitted(client, hardware="2x TG 24", runtime="vllm", tg_tok_s=one * 1.5)
    assert sub.n_devices == 2
