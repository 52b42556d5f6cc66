/* Small enhancements; every page works without them. */
document.addEventListener("click", function (event) {
  if (event.target.closest("[data-print]")) {
    window.print();
  }
});
document.documentElement.classList.add("js");

/* Fields that apply only when another field has a value: data-when="channel:letter fax;group_visit:y" shows the
   element while every condition holds (a select's value, "y" for a ticked box). Registration uses it for each
   channel's fields, the representatives of a group visit and the reason for 简易办理. Without JavaScript everything
   is shown and the service ignores what does not apply. */
function controlValue(form, name) {
  var control = form && form.elements[name];
  if (!control) return "";
  if (control.type === "checkbox") return control.checked ? "y" : "";
  return control.value;
}
function syncConditionalFields() {
  document.querySelectorAll("[data-when]").forEach(function (el) {
    var form = el.closest("form");
    el.hidden = !el.dataset.when.split(";").every(function (condition) {
      var parts = condition.split(":");
      return parts[1].split(" ").indexOf(controlValue(form, parts[0])) >= 0;
    });
  });
}
document.addEventListener("change", function (event) {
  if (event.target.form && event.target.form.querySelector("[data-when]")) syncConditionalFields();
});
document.addEventListener("DOMContentLoaded", syncConditionalFields);
