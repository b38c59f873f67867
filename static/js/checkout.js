/* 꾸러미: save a card with Stripe.js without the card number ever reaching our server.
 *
 * A form marked [data-card-form] holds a card choice (saved card or "new"), a #card-element container and
 * a hidden setup_id. When "new" is chosen, submitting the form:
 *   1. POSTs to data-setup-url (with the CSRF token) for a SetupIntent's client_secret,
 *   2. confirms it with stripe.confirmCardSetup(clientSecret, {payment_method: {card, billing_details}}),
 *   3. puts the confirmed setupIntent.id in setup_id and submits the form for real.
 * Errors are written to #card-errors (an aria-live region). Used by checkout and by "카드 변경".
 */
(function () {
  "use strict";

  var form = document.querySelector("form[data-card-form]");
  if (!form) {
    return;
  }
  var errors = document.getElementById("card-errors");
  var setupField = form.querySelector("input[name='setup_id']");
  var submit = form.querySelector("[data-submit]");
  var csrf = form.querySelector("input[name='csrfmiddlewaretoken']");
  var busy = false;
  var stripe = null;
  var card = null;

  function say(message) {
    errors.textContent = message;
  }

  function newCardChosen() {
    var chosen = form.querySelector("input[name='card_choice']:checked");
    return !chosen || chosen.value === "new";
  }

  function fieldValue(id) {
    var field = id ? document.getElementById(id) : null;
    return field ? field.value.trim() : "";
  }

  if (typeof window.Stripe !== "function") {
    say("카드 입력란을 불러오지 못했습니다. 인터넷 연결을 확인하고 페이지를 새로고침해 주세요.");
  } else {
    stripe = window.Stripe(form.dataset.stripeKey, { locale: "ko" });
    card = stripe.elements({ locale: "ko" }).create("card", { hidePostalCode: false });
    card.mount("#card-element");
    if (typeof card.on === "function") {
      card.on("change", function (event) {
        say(event && event.error ? event.error.message : "");
      });
    }
  }

  function setBusy(value) {
    busy = value;
    if (submit) {
      submit.disabled = value;
      submit.setAttribute("aria-busy", value ? "true" : "false");
    }
  }

  function fail(message) {
    say(message);
    setBusy(false);
    var container = document.getElementById("card-element");
    var first = container ? container.querySelector("input, iframe") : null;
    if (first) {
      first.focus();
    }
  }

  async function confirmCard() {
    var body = new URLSearchParams();
    body.set("name", fieldValue(form.dataset.nameField));
    body.set("phone", fieldValue(form.dataset.phoneField));
    var response = await fetch(form.dataset.setupUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrf ? csrf.value : "", Accept: "application/json" },
      body: body,
    });
    var data = {};
    try {
      data = await response.json();
    } catch (ignored) {
      data = {};
    }
    if (!response.ok || !data.client_secret) {
      throw new Error(data.error || "카드 등록을 시작하지 못했습니다. 잠시 후 다시 시도해 주세요.");
    }
    var name = fieldValue(form.dataset.nameField) || form.dataset.billingName || "";
    var result = await stripe.confirmCardSetup(data.client_secret, {
      payment_method: { card: card, billing_details: { name: name } },
    });
    if (result.error) {
      throw new Error(
        "카드를 확인하지 못했습니다" + (result.error.message ? ": " + result.error.message : ". 카드 정보를 확인해 주세요.")
      );
    }
    return result.setupIntent.id;
  }

  form.addEventListener("submit", function (event) {
    if (!newCardChosen() || (setupField && setupField.value)) {
      return; // a saved card, or a card already confirmed: the form goes as it is
    }
    event.preventDefault();
    if (busy) {
      return;
    }
    if (!stripe) {
      fail("카드 입력란을 불러오지 못했습니다. 페이지를 새로고침해 주세요.");
      return;
    }
    setBusy(true);
    say("카드를 확인하고 있습니다…");
    confirmCard().then(
      function (setupId) {
        setupField.value = setupId;
        say("");
        form.submit(); // does not fire "submit" again
      },
      function (error) {
        fail(error && error.message ? error.message : "카드를 확인하지 못했습니다. 다시 시도해 주세요.");
      }
    );
  });

  // Enter in the promo code field applies the code instead of submitting the whole form.
  var promo = form.querySelector("input[name='promo_code']");
  var apply = document.getElementById("promo-apply");
  if (promo && apply) {
    promo.addEventListener("keydown", function (event) {
      if (event.key === "Enter") {
        event.preventDefault();
        apply.click();
      }
    });
  }

  // The price summary is re-rendered by htmx (hx-get on #quote-summary). localstripe's stand-in
  // Stripe.js (demo and tests) declares a global `class Element`, which shadows the DOM's Element for
  // every script on the page and stops htmx from processing anything; then the same request is made here.
  var summary = document.getElementById("quote-summary");
  if (!summary || document.body instanceof Element) {
    return;
  }
  var latest = 0;

  function refreshQuote() {
    var params = new URLSearchParams();
    form.querySelectorAll("[name='plan']:checked, [name='term']:checked, [name='promo_code']").forEach(
      function (field) {
        params.append(field.name, field.value);
      }
    );
    var request = ++latest;
    summary.classList.add("htmx-request");
    fetch(summary.getAttribute("hx-get") + "?" + params.toString(), {
      credentials: "same-origin",
      headers: { "HX-Request": "true" },
    })
      .then(function (response) {
        return response.ok ? response.text() : Promise.reject(response.status);
      })
      .then(function (html) {
        if (request !== latest) {
          return; // a newer choice is on its way (hx-sync="this:replace")
        }
        var doc = new DOMParser().parseFromString(html, "text/html");
        var consent = doc.getElementById("consent-text");
        if (consent) {
          consent.remove();
          consent.removeAttribute("hx-swap-oob");
          document.getElementById("consent-text").replaceWith(document.importNode(consent, true));
        }
        summary.innerHTML = doc.body.innerHTML;
      })
      .catch(function () {
        /* the summary keeps its last values; the server checks everything again on submit */
      })
      .finally(function () {
        if (request === latest) {
          summary.classList.remove("htmx-request");
        }
      });
  }

  form.addEventListener("change", function (event) {
    if (event.target.classList && event.target.classList.contains("js-quote")) {
      refreshQuote();
    }
  });
  if (apply) {
    apply.addEventListener("click", refreshQuote);
  }
})();
