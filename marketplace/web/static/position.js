// "Use my position": the browser's location fills the quote form. Without it the postal code works.
(function () {
  var button = document.getElementById("use-position");
  var form = document.getElementById("place");
  if (!button || !form || !navigator.geolocation) return;
  button.hidden = false;
  button.addEventListener("click", function () {
    navigator.geolocation.getCurrentPosition(function (position) {
      form.elements.postal_code.value = "";
      form.elements.lat.value = position.coords.latitude.toFixed(5);
      form.elements.lon.value = position.coords.longitude.toFixed(5);
      form.submit();
    });
  });
})();
