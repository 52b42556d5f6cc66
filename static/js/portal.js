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

/* 关怀版 (issue 17): switch in place — the same cookie the server sets, and the classes it would write — so a
   half-filled form or a receipt shown once stays on the screen. Without JavaScript the links go through the server. */
document.addEventListener("click", function (event) {
  var link = event.target.closest("[data-care-level]");
  if (!link) return;
  event.preventDefault();
  var group = link.closest("[data-care-cookie]");
  var level = link.dataset.careLevel;
  var cookie = group.dataset.careCookie + "=" + level + "; path=/; samesite=lax; max-age=" +
    (level === "0" ? 0 : group.dataset.careMaxAge) + (location.protocol === "https:" ? "; secure" : "");
  document.cookie = cookie;
  var root = document.documentElement;
  root.classList.toggle("care", level !== "0");
  root.classList.toggle("care-xl", level === "2");
  document.querySelectorAll("details[data-care-open]").forEach(function (d) { if (level !== "0") d.open = true; });
  // The link just used is hidden now; keep the keyboard where it was, on the switch's first link.
  var next = Array.prototype.find.call(group.querySelectorAll("a"), function (a) { return a.offsetParent !== null; });
  if (next) next.focus();
});

/* The lookup grant (progress page): five minutes before it ends, say so next to the 延长 button, which renews it
   without the codes; when it has ended, say what to do. Checked every 20 s, so a renewal (htmx swaps #grant) counts. */
setInterval(function () {
  var grant = document.getElementById("grant");
  if (!grant || !grant.dataset.grantUntil) return;
  var left = (new Date(grant.dataset.grantUntil) - new Date()) / 60000;
  var status = grant.querySelector(".grant-status");
  var text = left <= 0 ? "查看时间已到，请重新输入信访件编号和查询码查询。"
    : left <= 5 ? "本页还可查看约" + Math.ceil(left) + "分钟，需要更多时间请按“延长”。" : null;
  if (text && status.textContent !== text) status.textContent = text;
}, 20000);
