// The recruiter page: signs in with an API key and calls the service's /v1 API with it.
// The key lives in this tab's sessionStorage only; nothing personal goes into a URL.
// Every value from the API reaches the page as text (textContent), never as markup.
"use strict";

const KEY_STORE = "talentmatch.key";
const FEATURE_NAMES = {
  semantic: "Meaning of the profile",
  lexical: "Words of the job",
  must_have: "Must-have skills",
  nice_to_have: "Nice-to-have skills",
  title: "Title",
  experience: "Experience",
  location: "Location",
  history: "Earlier applications",
  recency: "Skills used recently",
};

const state = { key: null, job: null, results: [], verdicts: new Map(), rejecting: null };

const $ = (id) => document.getElementById(id);

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (name === "text") node.textContent = value;
    else if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value);
  }
  for (const child of children) {
    if (child !== null && child !== undefined) {
      node.append(typeof child === "string" ? document.createTextNode(child) : child);
    }
  }
  return node;
}

class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

async function api(path, { method = "GET", json, form } = {}) {
  const headers = { Authorization: `Bearer ${state.key}` };
  let body;
  if (json !== undefined) {
    headers["Content-Type"] = "application/json";
    body = JSON.stringify(json);
  } else if (form !== undefined) {
    body = form;
  }
  let response;
  try {
    response = await fetch(path, { method, headers, body, cache: "no-store" });
  } catch (err) {
    throw new ApiError(0, "unreachable", "The service did not answer. Is it running?");
  }
  const data = await response.json().catch(() => null);
  if (!response.ok) {
    const code = (data && data.code) || "http_error";
    const message = (data && data.message) || `The service answered ${response.status}.`;
    if (response.status === 401) signOut();
    throw new ApiError(response.status, code, message);
  }
  return data;
}

function say(message) {
  $("status").textContent = message;
}

function showError(err) {
  const box = $("error");
  if (!err) {
    box.hidden = true;
    box.textContent = "";
    return;
  }
  box.textContent = err.code ? `${err.message} (${err.code})` : String(err.message || err);
  box.hidden = false;
}

// -- signing in ------------------------------------------------------------------------
async function signIn(key) {
  state.key = key;
  const me = await api("/v1/me");
  sessionStorage.setItem(KEY_STORE, key);
  $("who-tenant").textContent = me.tenant;
  $("who").hidden = false;
  $("sign-in").hidden = true;
  $("search").hidden = false;
  return me;
}

function signOut() {
  sessionStorage.removeItem(KEY_STORE);
  state.key = null;
  state.results = [];
  state.verdicts.clear();
  $("who").hidden = true;
  $("search").hidden = true;
  $("results").hidden = true;
  $("sign-in").hidden = false;
  $("api-key").value = "";
}

// -- the job ---------------------------------------------------------------------------
// A stable id for a job the recruiter gave none: FNV-1a over its title and text, so that
// feedback on the same description lands under the same id.
function jobIdOf(title, text) {
  let h1 = 0x811c9dc5;
  let h2 = 0x01000193;
  const input = `${title}\n${text}`;
  for (let i = 0; i < input.length; i++) {
    const c = input.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 0x01000193) >>> 0;
    h2 = Math.imul(h2 ^ c, 0x811c9dc5) >>> 0;
  }
  return `web-${h1.toString(16).padStart(8, "0")}${h2.toString(16).padStart(8, "0")}`;
}

async function readJobFile(file) {
  const form = new FormData();
  form.append("file", file, file.name);
  say(`Reading ${file.name}…`);
  const doc = await api("/v1/documents/text", { method: "POST", form });
  $("job-text").value = doc.text;
  say(`Read the job description from ${file.name}.`);
}

function matchRequest() {
  const text = $("job-text").value.trim();
  const title = $("job-title").value.trim();
  const filters = {};
  const places = $("location").value.split(",").map((s) => s.trim()).filter(Boolean);
  if (places.length) filters.locations = places;
  if ($("remote").value === "true") filters.remote = true;
  const years = $("min-years").value;
  if (years !== "") filters.min_years = Number(years);
  const job = title ? { text, title } : { text };
  return {
    job,
    top_k: Number($("top-k").value) || 10,
    filters,
    mode: $("rediscover").checked ? "rediscover" : "all",
  };
}

async function runMatch() {
  const request = matchRequest();
  say("Ranking the talent pool…");
  const shortlist = await api("/v1/match", { method: "POST", json: request });
  state.job = {
    // Feedback sends the job exactly as it was matched, so its features are the shortlist's.
    request: request.job,
    id: $("job-id").value.trim() || jobIdOf(request.job.title || "", request.job.text),
    title: request.job.title || shortlist.job_title || "",
    rediscover: request.mode === "rediscover",
  };
  state.results = shortlist.results;
  state.verdicts.clear();
  renderShortlist(shortlist);
  const n = shortlist.results.length;
  say(`${n} candidate${n === 1 ? "" : "s"} ranked from a pool of ${shortlist.pool_size}.`);
}

// -- the shortlist ---------------------------------------------------------------------
function skillLine(label, names, cls) {
  if (!names.length) return null;
  return el("p", { class: cls }, el("span", { class: "tag", text: `${label}: ` }), names.join(", "));
}

function breakdown(result) {
  const list = el("dl", { class: "breakdown" });
  const points = result.breakdown.points;
  const order = Object.keys(points).sort((a, b) => points[b] - points[a]);
  for (const feature of order) {
    const weight = result.breakdown.weights[feature] ?? 0;
    const value = result.breakdown.features[feature] ?? 0;
    list.append(
      el("dt", { text: FEATURE_NAMES[feature] || feature }),
      el("dd", {
        text: `${points[feature].toFixed(1)} points (fit ${Math.round(value * 100)}%, weight ${Math.round(weight * 100)}%)`,
      }),
    );
  }
  return el("details", {}, el("summary", { text: "Breakdown" }), list);
}

function verdictText(verdict) {
  if (!verdict) return "";
  if (verdict.verdict === "rejected") return `Rejected: ${verdict.reason}`;
  return "Shortlisted";
}

function row(result, rank) {
  const who = result.name || result.external_id;
  const badges = el("p", { class: "badges" });
  if (result.runner_up_for.length) {
    const more = result.runner_up_for.length - 1;
    badges.append(
      el("span", {
        class: "badge runner-up",
        text: `Runner-up for ${result.runner_up_for[0]}${more > 0 ? ` (+${more} more)` : ""}`,
      }),
    );
  }
  if (result.stale) badges.append(el("span", { class: "badge stale", text: "Profile not updated for 18 months" }));
  const status = el("p", { class: "verdict", "aria-live": "polite", text: verdictText(state.verdicts.get(result.candidate_id)) });
  const label = `${who}, rank ${rank}`;
  return el(
    "tr",
    { "data-candidate": String(result.candidate_id) },
    el("td", { class: "rank", text: String(rank) }),
    el(
      "td",
      {},
      el("button", { type: "button", class: "link name", "aria-label": `View profile of ${who}`, onclick: guarded((e) => openProfile(result.candidate_id, e.currentTarget)) }, who),
      el("p", { class: "help", text: `CRM id ${result.external_id}` }),
      badges.childNodes.length ? badges : null,
    ),
    el("td", { class: "score" }, el("strong", { text: result.score.toFixed(1) }), " / 100", breakdown(result)),
    el(
      "td",
      {},
      skillLine("Has", result.must_have.matched, "has"),
      skillLine("Related", result.must_have.related, "related"),
      skillLine("Missing", result.must_have.missing, "missing"),
      result.must_have.matched.length + result.must_have.related.length + result.must_have.missing.length
        ? null
        : el("p", { class: "help", text: "The job names no must-have skill." }),
    ),
    el("td", {}, el("ul", { class: "reasons" }, ...result.reasons.map((r) => el("li", { text: r })))),
    el(
      "td",
      { class: "feedback" },
      el("button", { type: "button", "aria-label": `Shortlist ${label}`, onclick: guarded(() => sendFeedback(result, "shortlisted")) }, "Shortlist"),
      el("button", { type: "button", class: "secondary", "aria-label": `Reject ${label}`, onclick: (e) => askReason(result, e.currentTarget) }, "Reject…"),
      status,
    ),
  );
}

function renderShortlist(shortlist) {
  const body = $("shortlist").querySelector("tbody");
  body.replaceChildren(...shortlist.results.map((r, i) => row(r, i + 1)));
  const title = state.job.title ? ` for ${state.job.title}` : "";
  $("results-title").textContent = `Shortlist${title}`;
  const order = state.job.rediscover ? " · past applicants, runners-up for similar roles first" : "";
  $("results-summary").textContent =
    `${shortlist.results.length} of ${shortlist.pool_size} candidates${order} · job id ${state.job.id} · ${shortlist.took_ms.toFixed(0)} ms`;
  $("export-csv").disabled = shortlist.results.length === 0;
  $("results").hidden = false;
}

// -- feedback --------------------------------------------------------------------------
async function sendFeedback(result, verdict, reason) {
  showError(null);
  const item = { candidate_id: result.candidate_id, verdict };
  if (reason) item.reason = reason;
  await api("/v1/feedback", {
    method: "POST",
    json: { job_id: state.job.id, job: state.job.request, items: [item] },
  });
  state.verdicts.set(result.candidate_id, { verdict, reason: reason || null });
  const cell = document.querySelector(`tr[data-candidate="${result.candidate_id}"] .verdict`);
  cell.textContent = verdictText(state.verdicts.get(result.candidate_id));
  say(`${verdict === "rejected" ? "Rejected" : "Shortlisted"} ${result.name || result.external_id}; feedback saved.`);
}

function askReason(result, opener) {
  state.rejecting = result;
  $("reject-reason").value = "";
  $("reject-title").textContent = `Reject ${result.name || result.external_id}`;
  openDialog($("reject"), opener);
  $("reject-reason").focus();
}

// -- CSV -------------------------------------------------------------------------------
// A cell a spreadsheet would read as a formula is prefixed with an apostrophe.
function csvCell(value) {
  let text = value === null || value === undefined ? "" : String(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

function shortlistCsv() {
  const header = [
    "rank", "candidate_id", "external_id", "name", "score", "runner_up_for",
    "must_have_matched", "must_have_missing", "nice_to_have_matched", "reasons",
    "verdict", "reason",
  ];
  const lines = [header.join(",")];
  state.results.forEach((r, i) => {
    const verdict = state.verdicts.get(r.candidate_id);
    lines.push([
      i + 1, r.candidate_id, r.external_id, r.name, r.score.toFixed(1), r.runner_up_for.join("; "),
      r.must_have.matched.join("; "), r.must_have.missing.join("; "), r.nice_to_have.matched.join("; "),
      r.reasons.join(" | "), verdict ? verdict.verdict : "", verdict ? verdict.reason || "" : "",
    ].map(csvCell).join(","));
  });
  return lines.join("\r\n") + "\r\n";
}

function downloadCsv() {
  const blob = new Blob([shortlistCsv()], { type: "text/csv;charset=utf-8" });
  const url = URL.createObjectURL(blob);
  const link = el("a", { href: url, download: `shortlist-${state.job.id}.csv` });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
  say("Shortlist downloaded as CSV.");
}

// -- the profile -----------------------------------------------------------------------
function facts(pairs) {
  const list = el("dl", { class: "facts" });
  for (const [name, value] of pairs) {
    if (value !== null && value !== undefined && value !== "") list.append(el("dt", { text: name }), el("dd", { text: String(value) }));
  }
  return list;
}

function profileView(c) {
  const evidence = new Map(c.evidence.map((e) => [e.id, e]));
  const skills = el("ul", { class: "skills" });
  for (const s of c.skills) {
    const e = evidence.get(s.id);
    const detail = [];
    if (e && e.last_used) detail.push(`last used ${e.last_used}`);
    if (e && e.years_used) detail.push(`${e.years_used} years`);
    // What the résumé itself says: "ORACLE (3 years)", "Git (Less than 1 year)" (0.5).
    if (e && e.years_stated) detail.push(e.years_stated < 1 ? "under a year stated" : `${e.years_stated} years stated`);
    if (s.section) detail.push(`in ${s.section}`);
    skills.append(el("li", { text: detail.length ? `${s.label} (${detail.join(", ")})` : s.label }));
  }
  const history = el("ul", { class: "history" });
  for (const a of c.applications) {
    const parts = [a.job_title, a.stage.replace("_", " "), a.outcome.replace("_", " ")];
    if (a.date) parts.push(a.date);
    history.append(el("li", { text: parts.join(" · ") }));
  }
  return [
    facts([
      ["CRM id", c.external_id],
      ["Titles", c.titles.join(", ")],
      ["Years of experience", c.years_experience],
      ["Location", c.location],
      ["Open to remote work", c.remote === null ? "" : c.remote ? "yes" : "no"],
      ["Source", c.source],
      ["Updated", c.updated_at.slice(0, 10)],
    ]),
    el("h3", { text: "Earlier applications" }),
    c.applications.length ? history : el("p", { class: "help", text: "None recorded." }),
    el("h3", { text: "Skills" }),
    c.skills.length ? skills : el("p", { class: "help", text: "No skill found." }),
    el("h3", { text: "Education" }),
    c.education.length ? el("ul", {}, ...c.education.map((x) => el("li", { text: x }))) : el("p", { class: "help", text: "None found." }),
  ];
}

async function openProfile(candidateId, opener) {
  showError(null);
  const c = await api(`/v1/candidates/${candidateId}`);
  $("profile-title").textContent = c.name || c.external_id;
  $("profile-body").replaceChildren(...profileView(c));
  openDialog($("profile"), opener);
  $("profile-close").focus();
}

// A dialog hands focus back to what opened it however it closes (button, Escape, submit).
function openDialog(dialog, opener) {
  dialog.returnFocusTo = opener;
  dialog.showModal();
}

// -- wiring ----------------------------------------------------------------------------
function guarded(fn) {
  return async (event) => {
    if (event && event.preventDefault && event.type === "submit") event.preventDefault();
    showError(null);
    try {
      await fn(event);
    } catch (err) {
      say("");
      showError(err);
    }
  };
}

document.addEventListener("DOMContentLoaded", () => {
  $("sign-in-form").addEventListener("submit", guarded(async () => {
    await signIn($("api-key").value.trim());
    say("Signed in.");
    $("job-text").focus();
  }));
  $("sign-out").addEventListener("click", () => {
    signOut();
    say("Signed out.");
    $("api-key").focus();
  });
  $("job-file").addEventListener("change", guarded(async (event) => {
    const file = event.target.files[0];
    if (file) await readJobFile(file);
  }));
  $("match-form").addEventListener("submit", guarded(async () => {
    const button = $("match-button");
    button.disabled = true;
    try {
      await runMatch();
    } finally {
      button.disabled = false;
    }
  }));
  $("export-csv").addEventListener("click", downloadCsv);
  $("profile-close").addEventListener("click", () => $("profile").close());
  for (const dialog of [$("profile"), $("reject")]) {
    dialog.addEventListener("close", () => {
      if (dialog.returnFocusTo) dialog.returnFocusTo.focus();
    });
  }
  $("reject-cancel").addEventListener("click", () => $("reject").close());
  $("reject-form").addEventListener("submit", guarded(async () => {
    const reason = $("reject-reason").value.trim();
    if (!reason) return;
    $("reject").close();
    await sendFeedback(state.rejecting, "rejected", reason);
  }));

  const saved = sessionStorage.getItem(KEY_STORE);
  if (saved) {
    guarded(async () => {
      await signIn(saved);
    })();
  }
});
