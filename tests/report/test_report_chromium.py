"""`hpo report` end to end, rendered by a real browser.

Optuna 3.1 writes studies to SQLite (the schema hpo shares); the hpo CLI writes their reports;
headless Chromium loads each report from disk with every request sent to a logging proxy,
dumps the DOM after load and takes a screenshot. The tests count what the browser drew and
check that the page asked the network for nothing.
"""
import html.parser
import math
import os
import pathlib
import re
import shutil
import socket
import struct
import subprocess
import threading
import time
import zlib

import pytest
import yaml

optuna = pytest.importorskip(
    "optuna", reason="python3-optuna is not installed (scripts/setup-debian.sh installs it)")
optuna.logging.set_verbosity(optuna.logging.WARNING)

ROOT = pathlib.Path(__file__).resolve().parents[2]
HPO_BIN = os.environ.get("HPO_BIN", str(ROOT / "build" / "cli" / "hpo"))
CHROMIUM = shutil.which("chromium")

# Requests Chromium makes on its own at start-up (component and time updates, account check),
# whatever the page: flags cannot silence all of them, so the proxy log leaves these hosts out.
# A page's own request to any other host shows up, as test_proxy_sees_a_page_request proves.
BROWSER_SERVICE_HOSTS = {"update.googleapis.com", "accounts.google.com", "clients2.google.com",
                         "redirector.gvt1.com", "clientservices.googleapis.com"}

N_TRIALS = 24
PRUNED = {4, 9, 15}
FAILED = {6}


class LoggingProxy:
    """An HTTP proxy that answers nothing: it records the request line of every connection."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.requests = []
        self.pending = 0
        self.lock = threading.Lock()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            with self.lock:
                self.pending += 1
            with conn:
                conn.settimeout(2)
                try:
                    head = conn.recv(4096).decode("latin-1")
                    conn.sendall(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n")
                except OSError:
                    head = ""
            with self.lock:
                self.requests.append(head.split("\r\n", 1)[0])
                self.pending -= 1

    def settle(self):
        """Waits until connections made before the browser exited are accepted and read."""
        while True:
            with self.lock:
                before = (len(self.requests), self.pending)
            time.sleep(0.5)
            with self.lock:
                if self.pending == 0 and (len(self.requests), self.pending) == before:
                    return

    def page_requests(self):
        self.settle()
        def host(line):
            parts = line.split()
            target = parts[1] if len(parts) > 1 else ""
            return re.sub(r"^[a-z]+://", "", target).split("/")[0].split(":")[0]
        return [r for r in self.requests if host(r) not in BROWSER_SERVICE_HOSTS]

    def close(self):
        self.sock.close()


@pytest.fixture
def proxy():
    p = LoggingProxy()
    yield p
    p.close()


def chromium(tmp_path, proxy, page, *extra):
    assert CHROMIUM, "chromium is not installed; scripts/setup-debian.sh installs it"
    args = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu",
            f"--proxy-server=http://127.0.0.1:{proxy.port}",
            f"--user-data-dir={tmp_path / 'chromium-profile'}",
            "--no-first-run", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--disable-extensions", "--disable-dev-shm-usage",
            "--hide-scrollbars", *extra,
            pathlib.Path(page).resolve().as_uri()]
    r = subprocess.run(args, capture_output=True, text=True, timeout=180, cwd=tmp_path)
    assert r.returncode == 0, r.stderr[-2000:]
    return r.stdout


class DomCounter(html.parser.HTMLParser):
    """Elements of the dumped DOM, each with the chart (<svg data-chart>) it belongs to."""

    def __init__(self):
        super().__init__()
        self.svgs = []  # (data-chart, attrs, [(tag, classes)])
        self.rows = []  # classes of the trials table's body rows
        self._in_svg = None
        self._in_trials = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        classes = set((a.get("class") or "").split())
        if tag == "svg":
            self._in_svg = (a.get("data-chart"), a, [])
            self.svgs.append(self._in_svg)
        elif self._in_svg is not None:
            self._in_svg[2].append((tag, classes))
        if tag == "table" and a.get("id") == "trials":
            self._in_trials = True
        if tag == "tr" and self._in_trials and classes:
            self.rows.append(classes)

    def handle_endtag(self, tag):
        if tag == "svg":
            self._in_svg = None
        if tag == "table":
            self._in_trials = False

    def charts(self, kind):
        return [s for s in self.svgs if s[0] == kind]


def count(elements, tag, *classes):
    return sum(1 for t, c in elements if t == tag and set(classes) <= c)


def png_pixels(path):
    """(width, height, rows of RGBA bytes) of an 8-bit RGB/RGBA, non-interlaced PNG."""
    data = pathlib.Path(path).read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat, header = 8, b"", None
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    width, height, depth, color, _, _, interlace = header
    assert depth == 8 and color in (2, 6) and interlace == 0, header
    bpp = 4 if color == 6 else 3
    raw, stride, rows, prev = zlib.decompress(idat), width * bpp, [], bytearray(width * bpp)
    for y in range(height):
        start = y * (stride + 1)
        f, line = raw[start], bytearray(raw[start + 1:start + 1 + stride])
        for i in range(stride):
            left = line[i - bpp] if i >= bpp else 0
            up, ul = prev[i], prev[i - bpp] if i >= bpp else 0
            if f == 1:
                line[i] = (line[i] + left) & 255
            elif f == 2:
                line[i] = (line[i] + up) & 255
            elif f == 3:
                line[i] = (line[i] + (left + up) // 2) & 255
            elif f == 4:
                p = left + up - ul
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - ul)
                pred = left if pa <= pb and pa <= pc else up if pb <= pc else ul
                line[i] = (line[i] + pred) & 255
        rows.append(bytes(line))
        prev = line
    return width, height, bpp, rows


def objective(trial):
    lr = trial.suggest_float("lr", 1e-5, 1e-1, log=True)
    layers = trial.suggest_int("layers", 1, 4)
    opt = trial.suggest_categorical("optimizer", ["adam", "sgd", "<rms&prop>"])
    loss = abs(math.log10(lr) + 3) + 0.3 * layers + (0 if opt == "adam" else 0.5)
    for step in range(5):
        trial.report(loss + 2.0 / (step + 1), step)
        if trial.number in PRUNED and step == 2:
            raise optuna.TrialPruned()
    if trial.number in FAILED:
        raise RuntimeError("diverged")
    return loss


@pytest.fixture
def single_objective_db(tmp_path):
    db = tmp_path / "studies.db"
    study = optuna.create_study(study_name="digits <sgd> & co", storage=f"sqlite:///{db}",
                                sampler=optuna.samplers.RandomSampler(seed=1))
    study.optimize(objective, n_trials=N_TRIALS, catch=(RuntimeError,))
    return db


def write_report(db, name, out):
    r = subprocess.run([HPO_BIN, "report", name, "--storage", f"sqlite:///{db}", "-o", str(out)],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    return out.read_text()


def test_proxy_sees_a_page_request(tmp_path, proxy):
    # The control: a page that does load something from the network is caught by the proxy.
    page = tmp_path / "control.html"
    page.write_text('<!DOCTYPE html><img src="http://hpo-report-control.invalid/x.png">')
    chromium(tmp_path, proxy, page, "--dump-dom")
    assert any("hpo-report-control.invalid" in r for r in proxy.page_requests()), proxy.requests


def test_report_draws_every_chart_offline(tmp_path, proxy, single_objective_db):
    report = tmp_path / "report.html"
    text = write_report(single_objective_db, "digits <sgd> & co", report)

    # Static: nothing in the file points outside it (the SVG namespace is a name, not a load).
    stripped = text.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert not re.search(r"\b(src|href|action|srcset)\s*=", stripped, re.I)
    assert not re.search(r"url\(|@import|https?://|//[a-z0-9.-]+\.[a-z]{2,}/", stripped, re.I)

    dom = DomCounter()
    dom.feed(chromium(tmp_path, proxy, report, "--dump-dom"))
    assert proxy.page_requests() == [], proxy.page_requests()

    n_complete = N_TRIALS - len(PRUNED) - len(FAILED)
    for kind, n in [("history", 1), ("intermediate", 1), ("parallel", 1), ("slice", 3),
                    ("importance", 1)]:
        assert len(dom.charts(kind)) == n, kind
    for _, attrs, elements in dom.svgs:
        assert float(attrs["width"]) > 0 and float(attrs["height"]) > 0
        assert count(elements, "line") > 0 or count(elements, "rect") > 0, attrs
    history = dom.charts("history")[0][2]
    assert count(history, "circle", "marker") == n_complete
    assert count(history, "circle", "best") == 1
    assert count(history, "polyline", "best-line") == 1
    inter = dom.charts("intermediate")[0][2]
    # Every trial reported (FAIL ones too, before failing); pruned ones carry their state.
    assert count(inter, "polyline", "trial-line") == N_TRIALS
    assert count(inter, "polyline", "trial-line", "state-pruned") == len(PRUNED)
    assert count(inter, "polyline", "trial-line", "state-fail") == len(FAILED)
    assert count(dom.charts("parallel")[0][2], "polyline", "trial-line") == n_complete
    for _, _, elements in dom.charts("slice"):
        assert count(elements, "circle", "marker") == n_complete
    assert count(dom.charts("importance")[0][2], "rect", "bar") == 3
    assert len(dom.rows) == N_TRIALS
    assert sum("state-pruned" in r for r in dom.rows) == len(PRUNED)
    # The categorical label with markup characters is text in the axis, not markup.
    assert "&lt;rms&amp;prop&gt;" in text and "<rms&prop>" not in text

    shot = tmp_path / "report.png"
    chromium(tmp_path, proxy, report, f"--screenshot={shot}", "--window-size=1280,2400")
    assert proxy.page_requests() == [], proxy.page_requests()
    width, height, bpp, rows = png_pixels(shot)
    assert (width, height) == (1280, 2400)
    # Charts drew: the history's red best line and blue markers are on screen, and a good
    # share of the page is neither white nor near-white.
    colours = {row[i:i + 3] for row in rows[::4] for i in range(0, width * bpp, bpp * 4)}
    assert bytes.fromhex("d7191c") in colours and bytes.fromhex("2c7bb6") in colours
    inked = sum(1 for row in rows[::4] for i in range(0, width * bpp, bpp * 4)
                if min(row[i:i + 3]) < 200)
    assert inked > 0.01 * (width // 4) * (height // 4)


def test_table_sorts_by_a_clicked_column(tmp_path, proxy, single_objective_db):
    text = write_report(single_objective_db, "digits <sgd> & co", tmp_path / "report.html")
    # Click "value" (ascending), then "number" twice (descending), as a user would.
    clicks = ("<script>var th = document.querySelectorAll('#trials th');"
              "th[2].click();</script>")
    page = tmp_path / "clicked.html"
    page.write_text(text.replace("</body>", clicks + "</body>"))
    dom = chromium(tmp_path, proxy, page, "--dump-dom")
    body = dom[dom.index('<table id="trials"'):]
    values = [float(v) if v else None
              for v in re.findall(r'<tr class="[^"]*"><td data-sort="[^"]*">\d+</td>'
                                  r'<td class="text">\w+</td><td data-sort="([^"]*)"', body)]
    assert len(values) == N_TRIALS
    present = [v for v in values if v is not None]
    # Numbers ascending (as numbers, not text), trials without a value (FAIL) last.
    assert present == sorted(present)
    assert values[len(present):] == [None] * (N_TRIALS - len(present))
    assert 'class="asc"' in body

    page.write_text(text.replace("</body>", clicks.replace("th[2].click();",
                                 "th[0].click(); th[0].click();") + "</body>"))
    dom = chromium(tmp_path, proxy, page, "--dump-dom")
    numbers = [int(n) for n in re.findall(r'<tr class="[^"]*"><td data-sort="(\d+)"', dom)]
    assert numbers == list(range(N_TRIALS - 1, -1, -1))


def test_two_objectives_draw_the_pareto_front(tmp_path, proxy):
    db = tmp_path / "mo.db"
    study = optuna.create_study(study_name="mo", storage=f"sqlite:///{db}",
                                directions=["minimize", "minimize"])
    points = [(0, 1), (0.25, 0.75), (0.9, 0.9), (0.5, 0.5), (1, 1), (0.75, 0.25), (1, 0)]
    for a, b in points:
        t = study.ask()
        t.suggest_float("x", 0, 1)
        study.tell(t, [a, b])
    report = tmp_path / "mo.html"
    write_report(db, "mo", report)
    dom = DomCounter()
    dom.feed(chromium(tmp_path, proxy, report, "--dump-dom"))
    assert proxy.page_requests() == []
    pareto = dom.charts("pareto")
    assert len(pareto) == 1
    assert count(pareto[0][2], "circle", "front") == 5
    assert count(pareto[0][2], "circle", "dominated") == 2
    assert len(dom.charts("history")) == 2


def test_unknown_study_lists_the_available_ones(tmp_path, single_objective_db):
    r = subprocess.run([HPO_BIN, "report", "nope", "--storage", f"sqlite:///{single_objective_db}",
                        "-o", str(tmp_path / "x.html")], capture_output=True, text=True)
    assert r.returncode == 2
    assert r.stderr.count("\n") == 1, r.stderr
    assert "no study named 'nope'" in r.stderr and "digits <sgd> & co" in r.stderr
    assert not (tmp_path / "x.html").exists()


def test_hpo_run_writes_the_report_output(tmp_path):
    study = {
        "direction": "minimize",
        "sampler": {"name": "random", "options": {"seed": 7}},
        "search_space": {"x": {"type": "float", "low": -5, "high": 5}},
        "objective": {
            "command": "awk -v x={x} 'BEGIN { printf \"{\\\"loss\\\": %.17g}\\n\", x * x }'",
            "metric": {"key": "loss"}},
        "budget": {"n_trials": 5},
        "outputs": {"report": "out/report.html"},
    }
    path = tmp_path / "study.yaml"
    path.write_text(yaml.safe_dump(study, sort_keys=False))
    r = subprocess.run([HPO_BIN, "run", str(path), "--storage", ":memory:", "--quiet"],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    text = (tmp_path / "out" / "report.html").read_text()
    dom = DomCounter()
    dom.feed(text)
    assert count(dom.charts("history")[0][2], "circle", "marker") == 5
    assert len(dom.rows) == 5
