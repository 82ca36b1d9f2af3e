// The playground page: Telegram-like chats for several personas, phone-like SMS threads for
// SMS personas, and a clock control. It only acts as Telegram users and as phones (through
// /api) and shows what the bot sent. Bot text is
// rendered from Telegram's entities with DOM nodes (never innerHTML): it contains what
// residents typed.
"use strict";

const renderedAs = new WeakMap(); // message node -> the JSON it was rendered from
const state = {
  personas: [],
  sms: [],
  open: JSON.parse(localStorage.getItem("naboskap-open") || "null") || [1002, 2001],
  seenToasts: {},
  revision: 0,
};

async function api(path, body) {
  const options = body === undefined ? {} : {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
  };
  const response = await fetch(path, options);
  const data = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(data.error || response.statusText);
  return data;
}

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function persona(id) {
  return state.personas.find((p) => p.id === id) || state.sms.find((p) => p.id === id);
}

function initials(name) {
  return Array.from(name.trim())[0] || "?";
}

// The page's own words are English; a count takes the singular or the plural by English's
// plural rules ("1 reminder", "2 reminders", "0 reminders").
const englishPlural = new Intl.PluralRules("en");

function counted(n, one, other) {
  return `${n} ${englishPlural.select(n) === "one" ? one : other}`;
}

// An empty pane's hint, in the persona's language as the API gives it (from the bot's
// catalogs): how to begin. Commands ("/start", the "/" button) are isolated left to right, so
// that right-to-left text shows them as typed ("/start", not "start/").
function emptyHint(p) {
  const hint = el("p", "empty-hint");
  hint.lang = p.hint.lang;
  hint.dir = p.hint.dir;
  p.hint.text.split(/(\/[a-z]*)/).forEach((part, i) => {
    if (i % 2 === 0) {
      if (part) hint.append(part);
    } else {
      const command = el("bdi", "", part);
      command.dir = "ltr";
      hint.append(command);
    }
  });
  return hint;
}

// ---- personas ------------------------------------------------------------------------------

function renderPersonaList(list, personas) {
  list.replaceChildren();
  for (const p of personas) {
    const item = el("li");
    const button = el("button", "persona");
    button.type = "button";
    button.dataset.persona = String(p.id);
    if (state.open.includes(p.id)) button.classList.add("active");
    const avatar = el("span", p.phone ? "avatar sms-avatar" : `avatar hue${p.id % 6}`, initials(p.name));
    const label = el("span", "label", p.label);
    label.dir = "auto";
    button.append(avatar, label);
    button.addEventListener("click", () => openPane(p.id));
    item.append(button);
    list.append(item);
  }
}

function renderPersonas() {
  renderPersonaList(document.getElementById("personas"), state.personas);
  renderPersonaList(document.getElementById("sms-personas"), state.sms);
  const limits = document.getElementById("switches");
  limits.replaceChildren();
  const rate = state.rateLimit || {};
  if (rate.per_chat || rate.total) {
    const parts = [];
    if (rate.per_chat) parts.push(`${rate.per_chat}/s per chat`);
    if (rate.total) parts.push(`${rate.total}/s in all`);
    limits.append(el("span", "switch", `429 past ${parts.join(", ")}`));
  }
  if (!state.quietHours) limits.append(el("span", "switch", "no quiet hours"));
}

async function loadState() {
  const data = await api("/api/state");
  state.personas = data.personas;
  state.sms = data.sms;
  state.rateLimit = data.rate_limit;
  state.quietHours = data.quiet_hours;
  renderClock(data.clock, data.deliveries);
  state.open = state.open.filter((id) => persona(id));
  if (!state.open.length && state.personas.length) state.open = [state.personas[0].id];
  renderPersonas();
  return data.revision;
}

document.getElementById("add-persona").addEventListener("submit", async (event) => {
  event.preventDefault();
  const form = event.target;
  const error = document.getElementById("add-error");
  error.textContent = "";
  try {
    const created = await api("/api/personas", {
      name: form.elements.name.value,
      language_code: form.elements.language_code.value,
      phone: form.elements.phone.value,
    });
    form.reset();
    await loadState();
    openPane(created.id);
  } catch (e) {
    error.textContent = e.message;
  }
});

// ---- panes ---------------------------------------------------------------------------------

function paneOf(id) {
  return document.querySelector(`.pane[data-persona="${id}"]`);
}

function saveOpen() {
  localStorage.setItem("naboskap-open", JSON.stringify(state.open));
}

// Open panes stay open until closed (×); past the page's width the row of panes scrolls.
function openPane(id) {
  if (!state.open.includes(id)) state.open.push(id);
  saveOpen();
  const pane = ensurePane(id);
  renderPersonas();
  pane.scrollIntoView({ block: "nearest", inline: "nearest" });
  pane.querySelector(".entry").focus({ preventScroll: true });
}

function closePane(id) {
  state.open = state.open.filter((x) => x !== id);
  const pane = paneOf(id);
  if (pane) pane.remove();
  saveOpen();
  renderPersonas();
}

function ensurePane(id) {
  let pane = paneOf(id);
  if (pane) return pane;
  const p = persona(id);
  if (p.phone) return ensurePhone(p);
  pane = document.getElementById("pane-template").content.firstElementChild.cloneNode(true);
  pane.dataset.persona = String(id);
  pane.querySelector(".avatar").textContent = initials(p.name);
  pane.querySelector(".avatar").classList.add(`hue${id % 6}`);
  pane.querySelector(".name").textContent = p.name;
  pane.querySelector(".name").dir = "auto";
  pane.querySelector(".meta").textContent = ` ${p.language_code || "-"} · ${p.role}`;
  pane.querySelector(".close").addEventListener("click", () => closePane(id));
  pane.querySelector(".menu-button").addEventListener("click", () => {
    const menu = pane.querySelector(".menu");
    menu.hidden = !menu.hidden;
  });
  pane.querySelector(".composer").addEventListener("submit", async (event) => {
    event.preventDefault();
    const input = pane.querySelector(".entry");
    const text = input.value;
    if (!text.trim()) return;
    input.value = "";
    await send(id, text);
  });
  document.getElementById("panes").append(pane);
  refreshPane(id);
  return pane;
}

async function send(id, text) {
  try {
    await api(`/api/personas/${id}/messages`, { text });
  } catch (e) {
    showToast(id, { text: e.message, show_alert: false });
  }
}

async function press(id, messageId, data) {
  try {
    await api(`/api/personas/${id}/press`, { message_id: messageId, callback_data: data });
  } catch (e) {
    showToast(id, { text: e.message, show_alert: false });
  }
}

async function refreshPane(id) {
  const pane = paneOf(id);
  if (!pane) return;
  if (pane.classList.contains("phone")) return refreshPhone(id, pane);
  const chat = await api(`/api/personas/${id}/chat`);
  const box = pane.querySelector(".messages");
  const atBottom = box.scrollHeight - box.scrollTop - box.clientHeight < 40;
  const before = box.childElementCount;
  // Unchanged messages keep their nodes (a revealed spoiler, a selection, stay as they are).
  const known = new Map(Array.from(box.children, (node) => [node.dataset.messageId, node]));
  const nodes = chat.messages.map((m) => {
    const key = JSON.stringify(m);
    const node = known.get(String(m.id));
    if (node && renderedAs.get(node) === key) return node;
    const fresh = renderMessage(id, m);
    renderedAs.set(fresh, key);
    return fresh;
  });
  box.replaceChildren(...(nodes.length ? nodes : [emptyHint(persona(id))]));
  if (atBottom || box.childElementCount !== before) box.scrollTop = box.scrollHeight;
  renderMenu(id, pane, chat.commands);
  renderReplyKeyboard(id, pane, chat.keyboard);
  const seen = state.seenToasts[id];
  for (const toast of chat.toasts) {
    if (seen !== undefined && toast.id > seen) showToast(id, toast);
  }
  state.seenToasts[id] = chat.toasts.length ? chat.toasts[chat.toasts.length - 1].id : 0;
}

function renderMenu(id, pane, commands) {
  const menu = pane.querySelector(".menu");
  menu.replaceChildren();
  pane.querySelector(".menu-button").disabled = !commands.length;
  for (const c of commands) {
    const item = el("button", "command");
    item.type = "button";
    item.append(el("span", "command-name", `/${c.command}`));
    const description = el("span", "command-description", c.description);
    description.dir = "auto";
    item.append(description);
    item.addEventListener("click", () => {
      menu.hidden = true;
      send(id, `/${c.command}`);
    });
    menu.append(item);
  }
}

function renderReplyKeyboard(id, pane, keyboard) {
  const box = pane.querySelector(".reply-keyboard");
  box.replaceChildren();
  box.hidden = !keyboard;
  pane.querySelector(".entry").placeholder = (keyboard && keyboard.input_field_placeholder) || "Message";
  if (!keyboard) return;
  for (const row of keyboard.keyboard || []) {
    const line = el("div", "row");
    for (const button of row) {
      const text = typeof button === "string" ? button : button.text;
      const key = el("button", "reply-btn", text);
      key.type = "button";
      key.dir = "auto";
      key.addEventListener("click", () => send(id, text));
      line.append(key);
    }
    box.append(line);
  }
}

function showToast(id, toast) {
  const pane = paneOf(id);
  if (!pane) return;
  const box = pane.querySelector(".toasts");
  const note = el("div", toast.show_alert ? "toast alert" : "toast", toast.text);
  note.dir = "auto";
  note.setAttribute("role", "status");
  if (toast.show_alert) {
    const ok = el("button", "ok", "OK");
    ok.type = "button";
    ok.addEventListener("click", () => note.remove());
    note.append(ok);
  } else {
    setTimeout(() => note.remove(), 3500);
  }
  box.append(note);
}

// ---- messages ------------------------------------------------------------------------------

function renderMessage(id, m) {
  const wrap = el("div", m.from_bot ? "msg from-bot" : "msg from-me");
  wrap.dataset.messageId = String(m.id);
  const bubble = el("div", "bubble");
  if (m.document) {
    const doc = el("a", "document");
    doc.href = m.document.url;
    doc.setAttribute("download", m.document.file_name);
    doc.append(el("span", "doc-icon", "📄"));
    const info = el("span", "doc-info");
    info.append(el("span", "doc-name", m.document.file_name));
    info.append(el("small", "doc-size", `${formatSize(m.document.size)} · ${m.document.mime_type}`));
    doc.append(info);
    bubble.append(doc);
  }
  if (m.photo) {
    const img = el("img", "photo");
    img.src = m.photo.url;
    img.width = m.photo.width;
    img.height = m.photo.height;
    img.alt = "";
    img.loading = "lazy";
    bubble.append(img);
  }
  if (m.text) {
    const text = el("div", "text");
    text.dir = "auto";
    renderEntities(id, text, m.text, m.entities || []);
    bubble.append(text);
  }
  const meta = el("div", "meta");
  if (m.edited) {
    const edited = el("span", "edited", "edited");
    edited.title = counted(m.previous.length, "earlier version", "earlier versions");
    meta.append(edited, " ");
  }
  meta.append(new Date(m.date * 1000).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", hour12: false }));
  bubble.append(meta);
  wrap.append(bubble);
  if (m.inline_keyboard) {
    const keyboard = el("div", "inline-keyboard");
    for (const row of m.inline_keyboard) {
      const line = el("div", "row");
      for (const button of row) line.append(inlineButton(id, m.id, button));
      keyboard.append(line);
    }
    wrap.append(keyboard);
  }
  return wrap;
}

function inlineButton(id, messageId, button) {
  if (button.url) {
    const link = el("a", "inline-btn link", button.text);
    const safe = safeUrl(button.url);
    if (safe) {
      link.href = safe;
      link.target = "_blank";
      link.rel = "noopener noreferrer";
    }
    link.dir = "auto";
    return link;
  }
  const key = el("button", "inline-btn", button.text);
  key.type = "button";
  key.dir = "auto";
  if (button.callback_data !== undefined) {
    key.addEventListener("click", () => press(id, messageId, button.callback_data));
  } else {
    key.disabled = true;
  }
  return key;
}

function formatSize(bytes) {
  return bytes < 1024 ? `${bytes} B` : `${(bytes / 1024).toFixed(1)} KB`;
}

function safeUrl(href) {
  try {
    const url = new URL(href, "https://invalid.example/");
    return ["http:", "https:", "mailto:", "tg:"].includes(url.protocol) && /^[a-z]+:/i.test(href)
      ? url.href
      : null;
  } catch {
    return null;
  }
}

// Entities nest (the HTML they came from did); offsets count UTF-16 units, as JS strings do.
function renderEntities(id, parent, text, entities) {
  const sorted = entities.slice().sort((a, b) => a.offset - b.offset || b.length - a.length);
  renderRange(id, parent, text, sorted, 0, text.length);
}

function renderRange(id, parent, text, entities, start, end) {
  let position = start;
  let i = 0;
  while (i < entities.length) {
    const entity = entities[i];
    if (entity.offset < position) { i += 1; continue; }
    const stop = Math.min(entity.offset + entity.length, end);
    if (entity.offset > position) parent.append(text.slice(position, entity.offset));
    const inner = [];
    let j = i + 1;
    while (j < entities.length && entities[j].offset < stop) { inner.push(entities[j]); j += 1; }
    const node = entityNode(id, entity, text.slice(entity.offset, stop));
    renderRange(id, node.inner || node, text, inner, entity.offset, stop);
    parent.append(node);
    position = stop;
    i = j;
  }
  if (position < end) parent.append(text.slice(position, end));
}

function entityNode(id, entity, covered) {
  switch (entity.type) {
    case "bold": return el("b");
    case "italic": return el("i");
    case "underline": return el("u");
    case "strikethrough": return el("s");
    case "code": return el("code");
    case "blockquote":
    case "expandable_blockquote": return el("blockquote");
    case "pre": {
      const pre = el("pre");
      pre.inner = el("code");
      pre.append(pre.inner);
      return pre;
    }
    case "spoiler": {
      const spoiler = el("span", "spoiler");
      spoiler.addEventListener("click", () => spoiler.classList.add("revealed"));
      return spoiler;
    }
    case "text_link":
    case "url": {
      const href = safeUrl(entity.type === "url" ? covered : entity.url || "");
      if (!href) return el("span", "bad-link");
      const link = el("a");
      link.href = href;
      link.target = "_blank";
      link.rel = "noopener noreferrer";
      return link;
    }
    case "bot_command": {
      const command = el("span", "bot-command");
      command.addEventListener("click", () => send(id, covered));
      return command;
    }
    default: return el("span", entity.type.replace(/[^a-z_]/g, ""));
  }
}

// ---- SMS personas: a phone-like thread -------------------------------------------------------

const ENCODINGS = { gsm7: "GSM-7", ucs2: "UCS-2" };

function ensurePhone(p) {
  const pane = document.getElementById("sms-pane-template").content.firstElementChild.cloneNode(true);
  pane.dataset.persona = String(p.id);
  pane.querySelector(".avatar").textContent = initials(p.name);
  pane.querySelector(".avatar").classList.add("sms-avatar");
  pane.querySelector(".name").textContent = p.name;
  pane.querySelector(".name").dir = "auto";
  pane.querySelector(".meta").textContent = ` ${p.phone} · SMS only`;
  pane.querySelector(".close").addEventListener("click", () => closePane(p.id));
  pane.querySelector(".composer").addEventListener("submit", async (event) => {
    event.preventDefault();
    const input = pane.querySelector(".entry");
    const text = input.value;
    if (!text.trim()) return;
    input.value = "";
    try {
      await api(`/api/personas/${p.id}/sms`, { text });
    } catch (e) {
      input.value = text;
      input.placeholder = e.message;
    }
  });
  document.getElementById("panes").append(pane);
  refreshPhone(p.id, pane);
  return pane;
}

async function refreshPhone(id, pane) {
  const thread = await api(`/api/personas/${id}/sms`);
  const box = pane.querySelector(".messages");
  if (!thread.messages.length) {
    if (!box.querySelector(".empty-hint")) box.replaceChildren(emptyHint(persona(id)));
    return;
  }
  // SMS are never edited: a thread with as many texts as shown is unchanged.
  if (box.querySelectorAll(".sms").length === thread.messages.length) return;
  box.replaceChildren(...thread.messages.map(renderSms));
  box.scrollTop = box.scrollHeight;
}

function renderSms(m) {
  const wrap = el("div", m.from_bot ? "sms from-bot" : "sms from-me");
  wrap.dataset.messageId = String(m.id);
  const bubble = el("div", "bubble");
  const text = el("div", "text", m.text); // plain text: SMS has no formatting
  text.dir = "auto";
  bubble.append(text);
  wrap.append(bubble);
  const when = new Date(m.date * 1000).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", hour12: false });
  const cost = m.from_bot
    ? `${m.segments} SMS · ${ENCODINGS[m.encoding] || m.encoding} · ${when}`
    : when;
  const meta = el("div", "cost", cost);
  if (m.from_bot) {
    meta.title = m.encoding === "gsm7"
      ? counted(m.units, "septet", "septets")
      : counted(m.units, "UTF-16 unit", "UTF-16 units");
  }
  wrap.append(meta);
  return wrap;
}

// ---- the clock and the outbox --------------------------------------------------------------

function renderClock(clock, deliveries) {
  if (clock) {
    const ahead = clock.offset_seconds;
    const days = Math.floor(ahead / 86400);
    const hours = Math.floor((ahead % 86400) / 3600);
    const shift = ahead ? ` (+${days ? `${days}d ` : ""}${hours}h)` : "";
    const now = document.getElementById("clock-now");
    now.textContent = `🕒 ${clock.local}${shift}`;
    now.title = `${clock.zone}; next weekly digest ${new Date(clock.next_digest).toLocaleString()}`
      + `; next summary of new events ${new Date(clock.next_summary).toLocaleString()}`;
  }
  if (deliveries === undefined) return;
  const parts = [];
  for (const [channel, label] of [["telegram", "Telegram"], ["sms", "SMS"]]) {
    const c = (deliveries || {})[channel];
    if (!c) continue;
    let part = `${label}: ${c.pending} pending`;
    if (c.later) part += ` (${c.later} later)`;
    part += ` · ${c.sent} sent`;
    if (c.held) part += ` · ${c.held} held`;
    if (c.failed) part += ` · ${c.failed} failed`;
    parts.push(part);
  }
  document.getElementById("outbox").textContent = parts.join("  |  ");
}

for (const button of document.querySelectorAll(".clock-step")) {
  button.addEventListener("click", async () => {
    const steps = document.querySelectorAll(".clock-step");
    const ran = document.getElementById("clock-ran");
    steps.forEach((b) => { b.disabled = true; });
    try {
      const result = await api("/api/clock", { step: button.dataset.step });
      const r = result.ran;
      const done = [];
      if (r.reminders) done.push(counted(r.reminders, "reminder", "reminders"));
      if (r.nudged || r.expired) {
        done.push(`${counted(r.nudged, "help nudge", "help nudges")}, ${r.expired} expired`);
      }
      if (r.summaries) {
        done.push(counted(r.summaries, "summary of new events", "summaries of new events"));
      }
      if (r.digests !== null) done.push(`digest round: ${counted(r.digests, "digest", "digests")}`);
      ran.textContent = done.length ? `queued ${done.join(", ")}` : "nothing due";
      renderClock(result.clock);
    } catch (e) {
      ran.textContent = e.message;
    } finally {
      steps.forEach((b) => { b.disabled = false; });
    }
  });
}

// ---- updates -------------------------------------------------------------------------------

async function refreshAll() {
  await loadState();
  for (const id of state.open) ensurePane(id);
  await Promise.all(state.open.map((id) => refreshPane(id)));
}

async function loop() {
  for (;;) {
    try {
      const { revision } = await api(`/api/wait?since=${state.revision}`);
      if (revision !== state.revision) {
        state.revision = revision;
        await refreshAll();
      }
    } catch (e) {
      await new Promise((resolve) => setTimeout(resolve, 2000));
    }
  }
}

(async () => {
  state.revision = await loadState();
  for (const id of state.open) ensurePane(id);
  document.body.dataset.ready = "true";
  loop();
})();
