// gwk ui: live updates over server-sent events and the log viewer.
// Plain JavaScript, no build step. Log text is untrusted: it only ever
// goes into the page as text nodes.
"use strict";

function liveRuns() {
  const table = document.querySelector("table#runs[data-live]");
  if (!table) return;
  const body = table.querySelector("tbody");
  const count = document.getElementById("run-count");
  const es = new EventSource(table.dataset.live);
  es.addEventListener("rows", (e) => {
    // Rows rendered (and escaped) by the server.
    body.innerHTML = e.data;
    if (count && e.lastEventId) {
      const n = Number(e.lastEventId);
      count.textContent = n + (n === 1 ? " run" : " runs");
    }
  });
}

function badge(state) {
  const s = document.createElement("span");
  s.className = "status s-" + state;
  s.dataset.status = state;
  s.textContent = state.replace("_", " ");
  return s;
}

function duration(secs) {
  if (secs === null || secs === undefined) return "–";
  if (secs < 60) return secs.toFixed(1) + "s";
  if (secs < 3600) return Math.floor(secs / 60) + "m " + String(Math.floor(secs % 60)).padStart(2, "0") + "s";
  return Math.floor(secs / 3600) + "h " + String(Math.floor((secs % 3600) / 60)).padStart(2, "0") + "m";
}

function liveGraph() {
  const graph = document.getElementById("graph");
  if (!graph || !graph.dataset.events) return;
  const base = graph.dataset.base;
  const nodes = () => graph.querySelectorAll("g.job");
  nodes().forEach((g) => g.addEventListener("click", () => {
    location.href = base + "/jobs/" + encodeURIComponent(g.dataset.job);
  }));
  const es = new EventSource(graph.dataset.events);
  es.addEventListener("job", (e) => {
    const d = JSON.parse(e.data);
    nodes().forEach((g) => { if (g.dataset.job === d.job) g.dataset.state = d.state; });
    document.querySelectorAll("table.jobs tr[data-job]").forEach((tr) => {
      if (tr.dataset.job !== d.job) return;
      const cells = tr.querySelectorAll("td");
      cells[1].replaceChildren(badge(d.state));
      if (d.exit_code !== null && d.exit_code !== undefined) cells[2].textContent = d.exit_code;
      if (d.duration_secs !== null && d.duration_secs !== undefined) cells[3].textContent = duration(d.duration_secs);
    });
  });
  es.addEventListener("run", (e) => {
    const d = JSON.parse(e.data);
    const st = document.getElementById("run-status");
    if (st) st.replaceChildren(badge(d.status));
    const dur = document.getElementById("run-duration");
    if (dur) dur.textContent = duration(d.duration_secs);
    document.querySelectorAll("form.cancel").forEach((f) => f.remove());
    document.body.dataset.runDone = d.status;
    es.close();
  });
}

function logViewer() {
  const pre = document.getElementById("log");
  if (!pre) return;
  const src = pre.dataset.src;
  const follow = document.getElementById("log-follow");
  const sizeEl = document.getElementById("log-size");
  let first = 0, last = 0, loading = false;
  const more = document.createElement("span");
  more.className = "more";
  more.textContent = "↑ earlier lines";
  more.addEventListener("click", () => earlier());

  const get = (q) => fetch(src + q, { credentials: "same-origin" }).then((r) => {
    if (!r.ok) throw new Error("log: " + r.status);
    return r.json();
  });
  const showSize = (size) => {
    if (sizeEl) sizeEl.textContent = size < 1024 ? size + " B"
      : size < 1048576 ? (size / 1024).toFixed(1) + " KiB" : (size / 1048576).toFixed(1) + " MiB";
  };
  const atBottom = () => pre.scrollHeight - pre.scrollTop - pre.clientHeight < 40;
  const render = (r) => {
    pre.replaceChildren();
    first = r.start; last = r.end;
    if (first > 0) pre.append(more);
    pre.append(document.createTextNode(r.text));
    showSize(r.size);
    pre.dataset.loaded = "1";
  };

  function earlier() {
    if (loading || first === 0) return;
    loading = true;
    get("?before=true&len=262144&start=" + first).then((r) => {
      const h = pre.scrollHeight;
      more.remove();
      pre.insertBefore(document.createTextNode(r.text), pre.firstChild);
      first = r.start;
      if (first > 0) pre.insertBefore(more, pre.firstChild);
      pre.scrollTop += pre.scrollHeight - h;
    }).finally(() => { loading = false; });
  }
  pre.addEventListener("scroll", () => { if (pre.scrollTop < 20) earlier(); });

  get("?len=65536").then((r) => { render(r); pre.scrollTop = pre.scrollHeight; });

  setInterval(() => {
    if (!follow || !follow.checked || loading) return;
    loading = true;
    get("?len=1048576&start=" + last).then((r) => {
      showSize(r.size);
      if (r.end > last) {
        const stick = atBottom();
        pre.append(document.createTextNode(r.text));
        last = r.end;
        if (stick) pre.scrollTop = pre.scrollHeight;
      }
    }).finally(() => { loading = false; });
  }, 1000);

  const form = document.getElementById("log-search");
  const list = document.getElementById("log-matches");
  if (!form) return;
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const q = new FormData(form).get("q");
    if (!q) return;
    fetch(pre.dataset.search + "?q=" + encodeURIComponent(q), { credentials: "same-origin" })
      .then((r) => r.json())
      .then((res) => {
        list.replaceChildren();
        const head = document.createElement("div");
        head.textContent = res.matches.length + (res.next ? "+" : "") + " matching lines";
        list.append(head);
        res.matches.forEach((m) => {
          const a = document.createElement("a");
          a.href = "#";
          a.textContent = m.line;
          a.addEventListener("click", (e) => { e.preventDefault(); jump(m.offset, q); });
          list.append(a);
        });
      });
  });

  function jump(offset, q) {
    if (follow) follow.checked = false;
    get("?len=131072&start=" + Math.max(0, offset - 32768)).then((r) => {
      render(r);
      // Mark the line: split the text around it, as text nodes.
      const at = offset - r.start;
      const end = r.text.indexOf("\n", at);
      const line = r.text.slice(at, end < 0 ? r.text.length : end);
      const mark = document.createElement("mark");
      mark.textContent = line;
      pre.replaceChildren();
      if (first > 0) pre.append(more);
      pre.append(document.createTextNode(r.text.slice(0, at)), mark,
        document.createTextNode(r.text.slice(at + line.length)));
      mark.scrollIntoView({ block: "center" });
      pre.dataset.match = q;
    });
  }
}

document.addEventListener("DOMContentLoaded", () => {
  liveRuns();
  liveGraph();
  logViewer();
});
