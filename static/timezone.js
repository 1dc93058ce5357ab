// The sign-in form tells the server the browser's time zone (an IANA name such as
// "Europe/Lisbon"), so that a person's first sign-in shows times where they are.
(function () {
  "use strict";
  var field = document.getElementById("browser-timezone");
  if (!field) {
    return;
  }
  try {
    var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (zone) {
      field.value = zone;
    }
  } catch (error) {
    // An old browser without Intl: the deployment's time zone is kept.
  }
})();
