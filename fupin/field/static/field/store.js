// The phone's own store (IndexedDB through idb): the households kept for offline use and the queue of
// records made offline with their photos. The queue is never emptied but by the server's answer, or by
// the user deleting a record that was sent back.
/* global idb */
window.fieldStore = (() => {
  const ready = idb.openDB("fupin-field", 1, {
    upgrade(db) {
      db.createObjectStore("meta");
      db.createObjectStore("households", { keyPath: "id" });
      db.createObjectStore("problems", { keyPath: "id" });
      db.createObjectStore("queue", { keyPath: "uuid" }).createIndex("made_at", "made_at");
      db.createObjectStore("photos", { keyPath: "uuid" }).createIndex("record_uuid", "record_uuid");
    },
  });

  async function keepPackage(owner, data) {
    const db = await ready;
    const tx = db.transaction(["households", "meta"], "readwrite");
    await tx.objectStore("households").clear();
    for (const household of data.households) await tx.objectStore("households").put(household);
    await tx.objectStore("meta").put({ owner, generated_at: data.generated_at }, "package");
    await tx.done;
  }

  async function keepProblems(data) {
    const db = await ready;
    const tx = db.transaction("problems", "readwrite");
    await tx.store.clear();
    for (const problem of data.problems) await tx.store.put(problem);
    await tx.done;
  }

  async function problems() {
    return (await ready).getAll("problems");
  }

  async function problem(id) {
    return (await ready).get("problems", id);
  }

  async function forgetPackage() {
    const db = await ready;
    const tx = db.transaction(["households", "problems", "meta"], "readwrite");
    await tx.objectStore("households").clear();
    await tx.objectStore("problems").clear();
    await tx.objectStore("meta").delete("package");
    await tx.done;
  }

  async function packageOwner() {
    const meta = await (await ready).get("meta", "package");
    return meta ? meta.owner : null;
  }

  async function households() {
    return (await ready).getAll("households");
  }

  async function household(id) {
    return (await ready).get("households", id);
  }

  async function queue() {
    return (await ready).getAllFromIndex("queue", "made_at");
  }

  // One transaction: the record and its photos are kept together or not at all.
  async function add(record, photos) {
    const db = await ready;
    const tx = db.transaction(["queue", "photos"], "readwrite");
    await tx.objectStore("queue").put(record);
    for (const photo of photos) await tx.objectStore("photos").put(photo);
    await tx.done;
  }

  async function photosOf(recordUuid) {
    return (await ready).getAllFromIndex("photos", "record_uuid", recordUuid);
  }

  async function markPhotoSent(photo) {
    await (await ready).put("photos", { ...photo, sent: true });
  }

  async function update(record) {
    await (await ready).put("queue", record);
  }

  async function remove(recordUuid) {
    const db = await ready;
    const tx = db.transaction(["queue", "photos"], "readwrite");
    await tx.objectStore("queue").delete(recordUuid);
    const keys = await tx.objectStore("photos").index("record_uuid").getAllKeys(recordUuid);
    for (const key of keys) await tx.objectStore("photos").delete(key);
    await tx.done;
  }

  return { keepPackage, keepProblems, problems, problem, forgetPackage, packageOwner, households, household, queue, add, photosOf, markPhotoSent, update, remove };
})();
