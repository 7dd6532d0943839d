// Buttons marked data-print print the page (no inline handler: the CSP allows no inline script).
document.addEventListener("click", function (event) {
  if (event.target.closest("[data-print]")) {
    window.print();
  }
});
