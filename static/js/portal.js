/* Small enhancements; every page works without them. */
document.addEventListener("click", function (event) {
  if (event.target.closest("[data-print]")) {
    window.print();
  }
});
document.documentElement.classList.add("js");
