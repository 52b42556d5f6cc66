/* 朗读 (issue 17): read the stage, the deadline and the reply aloud with the browser's speech synthesis. Only voices
   that run on this device (localService) are used — some browsers' Chinese voices send the text to a network
   service, and a petition's text must not leave the device; with none, the page says so. */
(function () {
  var NO_VOICE = "本机没有中文朗读语音";

  function chineseLocalVoice() {
    if (!window.speechSynthesis) return Promise.resolve(null);
    function pick() {
      return window.speechSynthesis.getVoices().filter(function (v) {
        return v.localService && /^zh|^cmn/i.test(v.lang);
      })[0] || null;
    }
    var voice = pick();
    if (voice || window.speechSynthesis.getVoices().length) return Promise.resolve(voice);
    // Chromium fills the list shortly after the first call; wait for it once, briefly.
    return new Promise(function (resolve) {
      var done = false;
      function finish() { if (!done) { done = true; resolve(pick()); } }
      window.speechSynthesis.addEventListener("voiceschanged", finish, { once: true });
      setTimeout(finish, 1500);
    });
  }

  function textOf(selectors) {
    return Array.prototype.map.call(document.querySelectorAll(selectors), function (el) {
      return el.textContent.replace(/\s+/g, " ").trim();
    }).filter(Boolean).join("。");
  }

  var speaking = null;  // the button whose text is being read

  function reset(button) {
    if (!button) return;
    button.textContent = button.dataset.speakLabel;
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-speak]");
    if (!button) return;
    var status = button.parentElement.querySelector("[data-speak-status]");
    if (!button.dataset.speakLabel) button.dataset.speakLabel = button.textContent;
    if (speaking === button) {
      window.speechSynthesis.cancel();
      reset(button);
      speaking = null;
      return;
    }
    chineseLocalVoice().then(function (voice) {
      if (!voice) {
        status.textContent = NO_VOICE;
        return;
      }
      window.speechSynthesis.cancel();
      reset(speaking);
      var utterance = new SpeechSynthesisUtterance(textOf(button.dataset.speak));
      utterance.voice = voice;
      utterance.lang = voice.lang;
      utterance.rate = 0.9;  // a little slower than the default: easier to follow
      utterance.onend = utterance.onerror = function () {
        if (speaking === button) { reset(button); speaking = null; status.textContent = ""; }
      };
      speaking = button;
      button.textContent = button.dataset.speakStop;
      status.textContent = "正在朗读（" + voice.name + "）";
      window.speechSynthesis.speak(utterance);
    });
  });
})();
