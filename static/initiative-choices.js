// The fields that pick an initiative by typing (templates/initiatives/_choices.html): as one
// types, the field's list offers the initiatives whose title or number matches, asked of the
// server a moment after the last key. Without this script the list holds the page's short list
// and the field still takes "#12" or a title.
(function () {
  "use strict";
  var WAIT_MS = 200;
  var shortlists = {};

  function attach(field) {
    var list = document.getElementById(field.getAttribute("list"));
    if (!list || !list.dataset.optionsUrl) {
      return;
    }
    // The page's short list, offered again once the field is emptied (fields may share a list).
    if (!(list.id in shortlists)) {
      shortlists[list.id] = list.innerHTML;
    }
    var shortlist = shortlists[list.id];
    var timer = null;
    var asked = 0;

    field.addEventListener("input", function () {
      window.clearTimeout(timer);
      var text = field.value.trim();
      if (text === "") {
        list.innerHTML = shortlist;
        return;
      }
      timer = window.setTimeout(function () {
        var mine = ++asked;
        fetch(list.dataset.optionsUrl + "?q=" + encodeURIComponent(text), {
          credentials: "same-origin", headers: { "Accept": "text/html" }
        }).then(function (response) {
          return response.ok ? response.text() : null;
        }).then(function (html) {
          // Only the answer to the latest question, and only while the field still asks it.
          if (html !== null && mine === asked && field.value.trim() === text) {
            list.innerHTML = html;
          }
        }).catch(function () {
          // Offline or signed out: the field keeps what it offers; the server still reads it.
        });
      }, WAIT_MS);
    });
  }

  var fields = document.querySelectorAll("input[list]");
  for (var i = 0; i < fields.length; i += 1) {
    attach(fields[i]);
  }
})();
