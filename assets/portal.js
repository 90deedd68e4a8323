// Small keyboard and scrolling helpers the pages share. Plain DOM code, no state: it reads the
// page's ids and data attributes and clicks or focuses what Reflex rendered, so every action
// still goes through the same buttons, checks and events as a mouse click.
//
// - A conversation opens on its newest message; a message arriving while the reader is
//   scrolled up shows a "New message" button that scrolls to it.
// - Ctrl+Enter (Cmd+Enter) in the reply box sends, like the Send button.
// - Agent pages: keyboard shortcuts, listed by "?" (never while typing in a field).
// - The agent ticket page's side panels on a phone: the heading's button opens and closes one.
// - An image attachment's thumbnail that fails to load hides; the file's link stays.
(function () {
  "use strict";

  var NEAR_BOTTOM = 160; // px: a reader this close to the newest message is "reading it"

  // --- the conversation: land on the newest, "New message" when scrolled up ---------------
  var landedOn = null; // the path whose conversation was last scrolled to its newest message
  var lastSeenId = null; // data-message-id of the newest message we know about
  var pill = null;

  function conversation() {
    return document.getElementById("conversation");
  }

  function newestMessage(conv) {
    var all = conv.querySelectorAll(".message");
    return all.length ? all[all.length - 1] : null;
  }

  function isVisible(el) {
    var r = el.getBoundingClientRect();
    return r.top < window.innerHeight - 8 && r.bottom > 0;
  }

  function removePill() {
    if (pill) {
      pill.remove();
      pill = null;
    }
  }

  function showPill(conv, target) {
    if (pill) return;
    pill = document.createElement("button");
    pill.type = "button";
    pill.id = "new-message-pill";
    pill.className = "new-message-pill";
    pill.textContent = "\u2193 " + (conv.getAttribute("data-new-label") || "New message");
    pill.addEventListener("click", function () {
      var newest = newestMessage(conversation() || conv) || target;
      removePill();
      newest.scrollIntoView({ block: "center", behavior: "smooth" });
      newest.setAttribute("tabindex", "-1");
      newest.focus({ preventScroll: true });
    });
    document.body.appendChild(pill);
  }

  function onConversationChange() {
    var conv = conversation();
    if (!conv) {
      landedOn = null;
      lastSeenId = null;
      removePill();
      return;
    }
    var newest = newestMessage(conv);
    if (!newest) return;
    var id = newest.getAttribute("data-message-id");
    if (landedOn !== location.pathname) {
      // First render of this ticket's conversation: open on the newest message.
      landedOn = location.pathname;
      lastSeenId = id;
      if (!isVisible(newest)) newest.scrollIntoView({ block: "center" });
      return;
    }
    if (id === lastSeenId) return; // older messages loaded above, or a re-render
    var previous = lastSeenId && conv.querySelector('[data-message-id="' + lastSeenId + '"]');
    lastSeenId = id;
    var reading =
      !previous || previous.getBoundingClientRect().bottom - window.innerHeight < NEAR_BOTTOM;
    if (reading) {
      newest.scrollIntoView({ block: "nearest", behavior: "smooth" });
    } else {
      showPill(conv, newest);
    }
  }

  window.addEventListener(
    "scroll",
    function () {
      if (!pill) return;
      var conv = conversation();
      var newest = conv && newestMessage(conv);
      if (!newest || isVisible(newest)) removePill();
    },
    { passive: true }
  );

  var pending = false;
  new MutationObserver(function () {
    if (pending) return;
    pending = true;
    window.requestAnimationFrame(function () {
      pending = false;
      onConversationChange();
    });
  }).observe(document.documentElement, { childList: true, subtree: true });

  // --- keys ------------------------------------------------------------------------------
  function typing(el) {
    if (!el) return false;
    var tag = el.tagName;
    return (
      tag === "INPUT" ||
      tag === "TEXTAREA" ||
      tag === "SELECT" ||
      el.isContentEditable ||
      el.getAttribute("role") === "combobox"
    );
  }

  function byId(id) {
    return document.getElementById(id);
  }

  function click(id) {
    var el = byId(id);
    if (el && !el.disabled) {
      el.click();
      return true;
    }
    return false;
  }

  function send(textarea) {
    var form = textarea.form;
    var button = byId("send-button");
    if (!form || !button || button.disabled) return;
    form.requestSubmit(button);
  }

  function setInternal(on) {
    var toggle = byId("internal-toggle");
    if (toggle && (toggle.getAttribute("aria-checked") === "true") !== on) toggle.click();
  }

  function focusReply() {
    var box = byId("reply-body");
    if (box) {
      box.focus();
      box.scrollIntoView({ block: "center" });
    }
  }

  function rows() {
    // The queue is a table on wide screens and cards on phones; only one is shown.
    var links = document.querySelectorAll(
      "#queue-table .queue-row .ticket-subject, #queue-cards .queue-card a"
    );
    return Array.prototype.filter.call(links, function (a) {
      return a.offsetParent !== null;
    });
  }

  function moveRow(step) {
    var list = rows();
    if (!list.length) return false;
    var at = list.indexOf(document.activeElement);
    var next = at < 0 ? (step > 0 ? 0 : list.length - 1) : at + step;
    next = Math.max(0, Math.min(list.length - 1, next));
    list[next].focus();
    list[next].scrollIntoView({ block: "nearest" });
    return true;
  }

  var AGENT_KEYS = {
    j: function () {
      return moveRow(1);
    },
    k: function () {
      return moveRow(-1);
    },
    r: function () {
      if (!byId("reply-body") || !byId("internal-toggle")) return false;
      setInternal(false);
      focusReply();
      return true;
    },
    n: function () {
      if (!byId("internal-toggle")) return false;
      setInternal(true);
      focusReply();
      return true;
    },
    "/": function () {
      return click("saved-replies-button");
    },
    e: function () {
      return click("action-resolve");
    },
    "?": function () {
      return click("shortcuts-button");
    },
  };

  // --- an image attachment whose thumbnail cannot be had: its link by name is enough -------
  document.addEventListener(
    "error",
    function (event) {
      var img = event.target;
      if (!img || !img.classList || !img.classList.contains("attachment-thumb")) return;
      var link = img.closest(".attachment-thumb-link");
      if (link) link.hidden = true;
    },
    true // error events do not bubble: catch them on the way down
  );

  // --- the agent ticket page's side panels: on a phone a heading button opens each ---------
  document.addEventListener("click", function (event) {
    var toggle = event.target.closest && event.target.closest(".panel-toggle");
    if (!toggle) return;
    var open = toggle.getAttribute("aria-expanded") !== "true";
    toggle.setAttribute("aria-expanded", open ? "true" : "false");
    var panel = toggle.closest(".side-panel");
    if (panel && open) panel.setAttribute("data-open", "");
    else if (panel) panel.removeAttribute("data-open");
  });

  document.addEventListener("keydown", function (event) {
    var target = event.target;
    if (target && target.id === "reply-body") {
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
        event.preventDefault();
        send(target);
        return;
      }
      // "/" at the start of an empty reply or of a new line opens the saved replies.
      if (event.key === "/" && !event.ctrlKey && !event.metaKey && !event.altKey) {
        var before = target.value.slice(0, target.selectionStart || 0);
        if ((before === "" || before.endsWith("\n")) && click("saved-replies-button")) {
          event.preventDefault();
        }
      }
      return;
    }
    if (event.ctrlKey || event.metaKey || event.altKey || event.defaultPrevented) return;
    if (typing(target) || document.querySelector("[role=dialog]")) return;
    if (location.pathname.indexOf("/admin") !== 0) return; // the agent dashboard only
    var action = AGENT_KEYS[event.key];
    if (action && action()) event.preventDefault();
  });
})();
