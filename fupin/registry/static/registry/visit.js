// Optional location for a visit: filled only when the helper asks for it.
document.addEventListener("DOMContentLoaded", () => {
  const button = document.getElementById("locate");
  if (!button || !navigator.geolocation) return;
  button.addEventListener("click", () => {
    navigator.geolocation.getCurrentPosition((position) => {
      document.getElementById("id_latitude").value = position.coords.latitude.toFixed(6);
      document.getElementById("id_longitude").value = position.coords.longitude.toFixed(6);
      button.textContent = button.dataset.located;
      button.disabled = true;
    });
  });
});
