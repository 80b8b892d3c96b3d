// Behaviour of every page, bound by data attributes: the Content-Security-Policy forbids inline handlers
// (onclick=, onchange=) and inline <script> bodies, so none are written in templates.
//   <select data-autosubmit>           submits its form when changed (year and state filters)
//   <input type=checkbox data-check-all="lines">  ticks or clears every checkbox named "lines"
document.addEventListener("change", (event) => {
  const target = event.target;
  if (target.matches("[data-autosubmit]") && target.form) {
    target.form.requestSubmit ? target.form.requestSubmit() : target.form.submit();
  }
  if (target.matches("[data-check-all]")) {
    const name = target.getAttribute("data-check-all");
    document.querySelectorAll(`input[type=checkbox][name="${CSS.escape(name)}"]`).forEach((box) => {
      box.checked = target.checked;
    });
  }
});
