// On every page of the full site: logging out while the field app still holds unsynced records asks
// first. The database is only opened when it exists (opening it would create an empty one).
(() => {
  const script = document.currentScript;
  const pending = async () => {
    if (!window.indexedDB || !indexedDB.databases) return 0;
    const known = await indexedDB.databases();
    if (!known.some((db) => db.name === "fupin-field")) return 0;
    return new Promise((resolve) => {
      const opening = indexedDB.open("fupin-field");
      opening.onerror = () => resolve(0);
      opening.onsuccess = () => {
        const db = opening.result;
        if (!db.objectStoreNames.contains("queue")) return resolve(0);
        const all = db.transaction("queue").objectStore("queue").getAll();
        all.onsuccess = () => resolve(all.result.filter((r) => r.state === "pending").length);
        all.onerror = () => resolve(0);
      };
    });
  };
  document.addEventListener("submit", async (event) => {
    const form = event.target;
    if (!script || form.dataset.fieldChecked || form.getAttribute("action") !== script.dataset.logout) return;
    event.preventDefault();
    const count = await pending();
    if (count && !window.confirm(script.dataset.warning.replace("{count}", count))) return;
    form.dataset.fieldChecked = "1";
    form.submit();
  });
})();
