// A field marked data-select-on-focus selects its text on focus (a new API key, to copy it at once).
// A file, not an onfocus attribute: the Content-Security-Policy runs no inline script.
document.querySelectorAll("[data-select-on-focus]").forEach(function (field) {
  field.addEventListener("focus", function () { field.select(); });
  if (document.activeElement === field) { field.select(); }
});
