/* The decision panel's confirmation, asked in a dialog: a form whose action cannot be undone
   carries its consequence in data-consequence. Without this script the server asks on a page. */
(function () {
  "use strict";
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var consequence = form.getAttribute && form.getAttribute("data-consequence");
    if (!consequence || form.querySelector('input[name="confirm"]')) {
      return;
    }
    if (!window.confirm(consequence)) {
      event.preventDefault();
      return;
    }
    var confirmed = document.createElement("input");
    confirmed.type = "hidden";
    confirmed.name = "confirm";
    confirmed.value = "yes";
    form.appendChild(confirmed);
  });
}());
