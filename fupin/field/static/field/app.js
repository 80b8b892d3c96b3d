// The field app: households kept on the phone, visits recorded offline, and the sync of the queue.
/* global fieldStore */
(() => {
  const body = document.body;
  const t = (name, values = {}) =>
    (body.dataset[`t${name}`] || "").replace(/\{(\w+)\}/g, (_m, key) => String(values[key] ?? ""));
  const $ = (id) => document.getElementById(id);
  const MAX_SIDE = 1600; // photos are resized on the phone: the longer side at most 1600 px
  let session = null; // {username, csrf_token, …} once the server answered
  let syncing = null;
  let current = null; // the household on screen
  let currentProblem = null; // the problem on screen
  let located = null;

  // --- small helpers ----------------------------------------------------------------------------------
  const el = (tag, text, className) => {
    const node = document.createElement(tag);
    if (text !== undefined) node.textContent = text;
    if (className) node.className = className;
    return node;
  };
  const today = () => {
    const now = new Date();
    return new Date(now.getTime() - now.getTimezoneOffset() * 60000).toISOString().slice(0, 10);
  };
  const notice = (text) => {
    $("notice").textContent = text || "";
    $("notice").classList.toggle("d-none", !text);
  };

  async function api(path, options = {}) {
    const headers = { Accept: "application/json", ...(options.headers || {}) };
    if (options.method && options.method !== "GET" && session) headers["X-CSRFToken"] = session.csrf_token;
    const response = await fetch(path, { credentials: "same-origin", ...options, headers });
    if (response.status === 401) throw Object.assign(new Error("login"), { login: true });
    return response;
  }

  // --- who is working -----------------------------------------------------------------------------------
  async function refreshSession() {
    const response = await api("/api/v1/field/session");
    if (!response.ok) throw new Error(`session ${response.status}`);
    session = await response.json();
    $("who").textContent = session.display_name;
    return session;
  }

  async function refreshPackage() {
    const response = await api("/api/v1/field/households");
    if (response.ok) await fieldStore.keepPackage(session.username, await response.json());
    const problems = await api("/api/v1/field/problems"); // 403 for a helper: they rectify nothing
    if (problems.ok) await fieldStore.keepProblems(await problems.json());
    await showHouseholds();
    await showProblems();
    if (current) await openHousehold(current.id, { keepForm: true });
  }

  // --- households ---------------------------------------------------------------------------------------
  async function showHouseholds() {
    const list = $("households");
    list.replaceChildren();
    const households = await fieldStore.households();
    if (!households.length) list.append(el("p", t("NoHouseholds"), "small text-body-secondary"));
    for (const household of households) {
      const item = el("button", undefined, "list-group-item list-group-item-action");
      item.type = "button";
      item.dataset.household = household.id;
      item.append(el("strong", household.head || household.number), el("span", ` ${household.number}`, "small"));
      item.append(el("div", household.village, "small text-body-secondary"));
      item.addEventListener("click", () => openHousehold(household.id));
      list.append(item);
    }
  }

  async function openHousehold(id, { keepForm = false } = {}) {
    const household = await fieldStore.household(id);
    if (!household) return;
    current = household;
    $("household-title").textContent = `${household.head} · ${household.number}`;
    $("household-facts").textContent = [household.village, household.status, household.main_cause, household.phone]
      .filter(Boolean)
      .join(" · ");
    const fill = (id, rows) => {
      const items = rows.length ? rows : ["—"]; // an empty list still says it is empty
      $(id).replaceChildren(...items.map((text) => el("li", text, "list-group-item")));
    };
    fill("members", household.members.map((m) => `${m.name}（${m.relation}，${m.sex}，${m.birth_year}）${m.id_number} ${m.health}`));
    fill("measures", household.open_measures.map((m) => `${m.kind}：${m.description}（${m.taken_on}${m.until ? ` – ${m.until}` : ""}）`));
    fill("last-visits", household.last_visits.map((v) => `${v.visited_on} ${v.helper}：${v.findings}`));
    $("list-view").classList.add("d-none");
    $("household-view").classList.remove("d-none");
    if (!keepForm) {
      $("visit-form").reset();
      $("visited_on").value = today();
      locate();
    }
  }

  function showList() {
    current = null;
    currentProblem = null;
    $("household-view").classList.add("d-none");
    $("problem-view").classList.add("d-none");
    $("list-view").classList.remove("d-none");
  }

  // --- problems the user rectifies: evidence made on site ------------------------------------------------
  async function showProblems() {
    const list = $("problems");
    list.replaceChildren();
    for (const problem of await fieldStore.problems()) {
      const item = el("button", undefined, "list-group-item list-group-item-action");
      item.type = "button";
      item.append(el("strong", problem.title), el("span", ` ${problem.number}`, "small"));
      item.append(el("div", `${problem.place}${problem.deadline ? ` · ${problem.deadline}` : ""}`, "small text-body-secondary"));
      item.addEventListener("click", () => openProblem(problem.id));
      list.append(item);
    }
    $("problems-section").classList.toggle("d-none", !list.children.length);
  }

  async function openProblem(id) {
    const problem = await fieldStore.problem(id);
    if (!problem) return;
    currentProblem = problem;
    $("problem-title").textContent = `${problem.title} · ${problem.number}`;
    $("problem-facts").textContent = [problem.place, problem.deadline, problem.description].filter(Boolean).join(" · ");
    $("evidence-form").reset();
    $("list-view").classList.add("d-none");
    $("problem-view").classList.remove("d-none");
  }

  async function saveEvidence(event) {
    event.preventDefault();
    const comment = $("evidence-comment").value.trim();
    $("evidence-comment").classList.toggle("is-invalid", !comment);
    if (!comment || !currentProblem) return;
    const uuid = crypto.randomUUID();
    const photos = [];
    for (const file of $("evidence-photos").files) {
      photos.push({ uuid: crypto.randomUUID(), record_uuid: uuid, blob: await resized(file), sent: false });
    }
    await queueRecord(
      {
        uuid,
        kind: "evidence",
        label: `${t("Evidence")} ${currentProblem.number}`,
        payload: { problem: currentProblem.id, comment, photos: photos.map((photo) => photo.uuid) },
      },
      photos
    );
    $("evidence-form").reset();
  }

  async function queueRecord(record, photos) {
    const owner = session ? session.username : await fieldStore.packageOwner();
    await fieldStore.add({ ...record, made_at: new Date().toISOString(), owner, state: "pending", message: "" }, photos);
    notice(t("Saved"));
    await showQueue();
    if (navigator.onLine) sync();
  }

  // GPS when the phone has it and the user allows it; a visit without a location is still a visit.
  function locate() {
    located = null;
    $("location").textContent = t("NoLocation");
    if (!navigator.geolocation) return;
    navigator.geolocation.getCurrentPosition(
      (position) => {
        located = { latitude: position.coords.latitude.toFixed(6), longitude: position.coords.longitude.toFixed(6) };
        $("location").textContent = `${t("Located")} ${located.latitude}, ${located.longitude}`;
      },
      () => {},
      { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 }
    );
  }

  async function resized(file) {
    const bitmap = await createImageBitmap(file);
    const scale = Math.min(1, MAX_SIDE / Math.max(bitmap.width, bitmap.height));
    const canvas = document.createElement("canvas");
    canvas.width = Math.round(bitmap.width * scale);
    canvas.height = Math.round(bitmap.height * scale);
    canvas.getContext("2d").drawImage(bitmap, 0, 0, canvas.width, canvas.height);
    bitmap.close();
    return new Promise((resolve) => canvas.toBlob(resolve, "image/jpeg", 0.85));
  }

  async function saveVisit(event) {
    event.preventDefault();
    const findings = $("findings").value.trim();
    $("findings").classList.toggle("is-invalid", !findings);
    $("findings-error").textContent = findings ? "" : t("Required");
    if (!findings || !current) return;
    const uuid = crypto.randomUUID();
    const photos = [];
    for (const file of $("photos").files) {
      photos.push({ uuid: crypto.randomUUID(), record_uuid: uuid, blob: await resized(file), sent: false });
    }
    const record = {
      uuid,
      kind: "visit",
      label: `${t("Visit")} ${current.head} ${current.number}`,
      payload: {
        household: current.id,
        visited_on: $("visited_on").value,
        findings,
        help_given: $("help_given").value.trim(),
        latitude: located ? located.latitude : null,
        longitude: located ? located.longitude : null,
        photos: photos.map((photo) => photo.uuid),
      },
    };
    $("visit-form").reset();
    $("visited_on").value = today();
    await queueRecord(record, photos);
  }

  // --- the queue ----------------------------------------------------------------------------------------
  async function showQueue() {
    const records = await fieldStore.queue();
    const pending = records.filter((r) => r.state === "pending");
    $("pending-count").textContent = `${t("Pending")} ${pending.length}`;
    const list = $("queue");
    list.replaceChildren();
    for (const record of records) {
      const item = el("li", undefined, "list-group-item px-0");
      item.dataset.state = record.state;
      item.dataset.uuid = record.uuid;
      const photos = record.payload.photos.length ? ` · ${t("Photos", { count: record.payload.photos.length })}` : "";
      item.append(el("div", `${record.label}${record.payload.visited_on ? ` · ${record.payload.visited_on}` : ""}${photos}`));
      if (record.state === "refused") {
        item.classList.add("list-group-item-danger");
        item.append(el("div", `${t("Refused")}：${record.message}`, "fw-semibold"));
        const drop = el("button", "×", "btn btn-sm btn-outline-danger");
        drop.type = "button";
        drop.setAttribute("aria-label", "delete");
        drop.addEventListener("click", async () => {
          await fieldStore.remove(record.uuid);
          showQueue();
        });
        item.append(drop);
      } else if (session && record.owner && record.owner !== session.username) {
        item.append(el("div", t("OtherUser", { user: record.owner }), "text-body-secondary"));
      }
      list.append(item);
    }
    return pending.length;
  }

  async function sendPhotos(record) {
    for (const photo of await fieldStore.photosOf(record.uuid)) {
      if (photo.sent) continue;
      const form = new FormData();
      form.append("record_uuid", record.uuid);
      form.append("uuid", photo.uuid);
      form.append("file", photo.blob, `${photo.uuid}.jpg`);
      const response = await api("/api/v1/sync/files", { method: "POST", body: form });
      if (response.status === 400) {
        const answer = await response.json();
        return answer.message;
      }
      if (!response.ok) throw new Error(`files ${response.status}`);
      await fieldStore.markPhotoSent(photo);
    }
    return null;
  }

  async function runSync() {
    $("sync-status").textContent = t("Syncing");
    try {
      await refreshSession();
      const mine = (await fieldStore.queue()).filter(
        (r) => r.state === "pending" && (!r.owner || r.owner === session.username)
      );
      const ready = [];
      for (const record of mine) {
        const refused = await sendPhotos(record);
        if (refused) await fieldStore.update({ ...record, state: "refused", message: refused });
        else ready.push(record);
      }
      if (ready.length) {
        const response = await api("/api/v1/sync", {
          method: "POST",
          headers: { "Content-Type": "application/json" },
          body: JSON.stringify({
            records: ready.map(({ uuid, kind, made_at, payload }) => ({ uuid, kind, made_at, payload })),
          }),
        });
        if (!response.ok) throw new Error(`sync ${response.status}`);
        const { results } = await response.json();
        for (const result of results) {
          const record = ready.find((r) => r.uuid === result.uuid);
          if (!record) continue;
          if (result.status === "refused") {
            await fieldStore.update({ ...record, state: "refused", message: result.message });
          } else {
            await fieldStore.remove(record.uuid);
          }
        }
      }
      notice("");
      $("sync-status").textContent = t("Synced", { time: new Date().toLocaleTimeString("zh-CN") });
      await refreshPackage();
    } catch (error) {
      $("sync-status").textContent = error.login ? t("LoginNeeded") : t("SyncFailed");
      if (error.login) showLogin();
    }
    await showQueue();
  }

  function sync() {
    if (!syncing) syncing = runSync().finally(() => (syncing = null));
    return syncing;
  }

  function showLogin() {
    const link = el("a", t("LoginNeeded"));
    link.href = body.dataset.login;
    $("notice").replaceChildren(link);
    $("notice").classList.remove("d-none");
  }

  // --- logging out: never without a word about unsynced records -----------------------------------------
  async function logOut() {
    const pending = (await fieldStore.queue()).filter((r) => r.state === "pending").length;
    if (pending && !window.confirm(t("LogoutWarning", { count: pending }))) return;
    try {
      await refreshSession();
    } catch (error) {
      // offline or logged out already: there is no session to end on the server
    }
    await fieldStore.forgetPackage(); // the households' data is not left on a phone nobody is logged into
    if (!session) {
      window.location.href = body.dataset.login;
      return;
    }
    const form = el("form");
    form.method = "post";
    form.action = body.dataset.logout;
    const token = el("input");
    token.type = "hidden";
    token.name = "csrfmiddlewaretoken";
    token.value = session.csrf_token;
    form.append(token);
    document.body.append(form);
    form.submit();
  }

  function showNetwork() {
    $("network").textContent = navigator.onLine ? t("Online") : t("Offline");
    $("network").dataset.online = navigator.onLine ? "1" : "0";
  }

  async function start() {
    showNetwork();
    document.querySelectorAll("[data-back]").forEach((button) => button.addEventListener("click", showList));
    $("evidence-form").addEventListener("submit", saveEvidence);
    $("visit-form").addEventListener("submit", saveVisit);
    $("sync").addEventListener("click", () => sync());
    $("logout").addEventListener("click", logOut);
    window.addEventListener("online", () => {
      showNetwork();
      sync();
    });
    window.addEventListener("offline", showNetwork);
    await showHouseholds();
    await showProblems();
    await showQueue();
    if (navigator.onLine) {
      try {
        await refreshSession();
        if ((await fieldStore.packageOwner()) !== session.username) await fieldStore.forgetPackage();
        await sync();
      } catch (error) {
        if (error.login) showLogin();
      }
    }
    body.dataset.ready = "1";
  }

  document.addEventListener("DOMContentLoaded", start);
})();
