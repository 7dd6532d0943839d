// The materials step: send the files of a multi-file form one by one, showing each one's progress.
// Without this script the same form posts all its files at once and the page lists the outcome.
(function () {
  "use strict";
  var words = document.getElementById("upload-words");
  if (!words || !window.FormData || !window.XMLHttpRequest) { return; }
  var text = words.dataset;

  function line(list, name) {
    var item = document.createElement("li");
    var label = document.createElement("span");
    label.textContent = name + " — " + text.sending;
    var bar = document.createElement("progress");
    bar.max = 100; bar.value = 0;
    bar.setAttribute("aria-label", name);
    item.appendChild(label); item.appendChild(bar); list.appendChild(item);
    return { item: item, label: label, bar: bar };
  }

  function send(form, file, row) {
    return new Promise(function (resolve) {
      var data = new FormData();
      data.append("csrfmiddlewaretoken", form.querySelector("[name=csrfmiddlewaretoken]").value);
      data.append("material", form.querySelector("[name=material]").value);
      data.append("files", file, file.name);
      var request = new XMLHttpRequest();
      request.open("POST", form.action);
      request.setRequestHeader("X-Requested-With", "XMLHttpRequest");
      request.upload.addEventListener("progress", function (event) {
        if (event.lengthComputable) { row.bar.value = Math.round(100 * event.loaded / event.total); }
      });
      request.addEventListener("load", function () {
        var answer = null;
        try { answer = JSON.parse(request.responseText); } catch (error) { answer = null; }
        row.bar.value = 100;
        if (answer && answer.accepted && answer.accepted.length) {
          row.label.textContent = file.name + " — " + text.kept;
          resolve(true);
          return;
        }
        var reasons = answer && answer.refused && answer.refused.length ? answer.refused[0].reasons.join(" ") : text.failed;
        row.item.className = "upload-refused";
        row.label.textContent = file.name + " — " + text.refused + ": " + reasons;
        resolve(false);
      });
      request.addEventListener("error", function () {
        row.item.className = "upload-refused";
        row.label.textContent = file.name + " — " + text.failed;
        resolve(false);
      });
      request.send(data);
    });
  }

  document.querySelectorAll("form[data-multi-upload]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      var input = form.querySelector("input[type=file]");
      if (!input.files.length) { return; }
      event.preventDefault();
      var list = form.querySelector(".upload-progress");
      var button = form.querySelector("button[type=submit]");
      list.textContent = "";
      button.disabled = true;
      var files = Array.prototype.slice.call(input.files);
      var sending = files.map(function (file) { return send(form, file, line(list, file.name)); });
      Promise.all(sending).then(function (kept) {
        button.disabled = false;
        input.value = "";
        if (kept.every(Boolean)) { window.location.reload(); return; }
        var item = document.createElement("li");
        var link = document.createElement("a");
        link.href = window.location.pathname + "#" + form.closest("section").id;
        link.textContent = text.reload;
        link.addEventListener("click", function () { window.location.reload(); });
        item.appendChild(link);
        list.appendChild(item);
      });
    });
  });
})();
