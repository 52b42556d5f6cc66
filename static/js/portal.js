/* Small enhancements; every page works without them. */
document.addEventListener("click", function (event) {
  if (event.target.closest("[data-print]")) {
    window.print();
  }
});
document.documentElement.classList.add("js");

/* Registration: show only the fields of the chosen channel (来信 postmark, 来电 number, 来访 group). */
function syncChannelFields() {
  var select = document.querySelector("select[name=channel]");
  if (!select) return;
  document.querySelectorAll("[data-channels]").forEach(function (el) {
    el.hidden = el.dataset.channels.split(" ").indexOf(select.value) < 0;
  });
}
document.addEventListener("change", function (event) {
  if (event.target.matches("select[name=channel]")) syncChannelFields();
});
document.addEventListener("DOMContentLoaded", syncChannelFields);
