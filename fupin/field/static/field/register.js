// Installs the field app's service worker for /field/ (the script is served from the site root).
(() => {
  const script = document.currentScript;
  if (!("serviceWorker" in navigator) || !script) return;
  navigator.serviceWorker.register(script.dataset.sw, { scope: script.dataset.scope }).catch(() => {});
})();
