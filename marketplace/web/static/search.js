// Network search without a page reload; the form works the same without this script.
(function () {
  var form = document.getElementById("search-form");
  var box = document.getElementById("q");
  var results = document.getElementById("results");
  if (!form || !box || !results || !window.fetch) return;
  // Enter searches; Shift+Enter starts a new line of a list.
  box.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.shiftKey) {
      event.preventDefault();
      form.requestSubmit ? form.requestSubmit() : form.submit();
    }
  });
  box.addEventListener("input", function () {
    box.rows = Math.min(8, Math.max(1, box.value.split("\n").length));
  });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var query = new URLSearchParams(new FormData(form)).toString();
    results.setAttribute("aria-busy", "true");
    fetch("/search/results?" + query, { headers: { "Accept": "text/html" }, credentials: "same-origin" })
      .then(function (response) {
        // A VIN or a plate: the server sends the vehicle's page, opened as a page.
        if (response.redirected) { window.location.assign(response.url); return null; }
        return response.text();
      })
      .then(function (html) {
        if (html === null) return;
        results.innerHTML = html;
        if (window.labelTables) window.labelTables(results);
        results.removeAttribute("aria-busy");
        // Focus stays in the box: a second Enter must search again, never request by accident.
        history.replaceState(null, "", "/search?" + query);
      })
      .catch(function () { form.submit(); });
  });
})();
// "Request all from the nearest": the total follows the ticked lines (the server's figure without this script).
document.addEventListener("change", function (event) {
  var box = event.target;
  if (!box.matches || !box.matches("#plan input[type=checkbox]")) return;
  var plan = box.closest("#plan");
  var total = 0;
  plan.querySelectorAll("input[type=checkbox]:checked").forEach(function (b) { total += parseFloat(b.dataset.cost) || 0; });
  var shown = plan.querySelector("[data-total]");
  if (shown) shown.textContent = total.toLocaleString(document.documentElement.lang || "it", { style: "currency", currency: "EUR" });
});
