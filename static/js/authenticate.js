/* 꾸러미: complete 3-D Secure for an off-session charge the card company wants authenticated.
 *
 * The form marked [data-authenticate-form] carries the PaymentIntent's client secret (data-client-secret,
 * put in the page by the server for the signed-in subscriber's own order) and the publishable key.
 * Pressing [data-authenticate-start] calls stripe.confirmCardPayment(clientSecret), which opens the card
 * company's authentication (localstripe's stand-in shows a "Complete authentication" box). Whatever the
 * outcome, the form is then posted: the server asks the gateway how the payment stands and records it,
 * so the page never decides on its own that a payment succeeded. Messages go to #auth-status (aria-live).
 * https://docs.stripe.com/js/payment_intents/confirm_card_payment
 */
(function () {
  "use strict";

  var form = document.querySelector("form[data-authenticate-form]");
  if (!form) {
    return;
  }
  var start = form.querySelector("[data-authenticate-start]");
  var status = document.getElementById("auth-status");
  var secret = form.dataset.clientSecret;
  var method = form.dataset.paymentMethod;
  var busy = false;

  function say(message) {
    status.textContent = message;
  }

  if (!start || !secret) {
    return;
  }
  if (typeof window.Stripe !== "function") {
    say("카드사 인증 창을 불러오지 못했습니다. 인터넷 연결을 확인하고 페이지를 새로고침해 주세요.");
    start.disabled = true;
    return;
  }
  var stripe = window.Stripe(form.dataset.stripeKey, { locale: "ko" });

  start.addEventListener("click", function () {
    if (busy) {
      return;
    }
    busy = true;
    start.disabled = true;
    start.setAttribute("aria-busy", "true");
    say("카드사 인증 창을 열고 있습니다. 인증을 마쳐 주세요.");
    // Real Stripe needs the card again when the intent fell back to requires_payment_method (a 402
    // authentication_required); localstripe ignores the second argument.
    var data = method ? { payment_method: method } : undefined;
    stripe.confirmCardPayment(secret, data).then(
      function (result) {
        if (result && result.error) {
          say("인증을 마치지 못했습니다" + (result.error.message ? ": " + result.error.message : ".") + " 결과를 확인합니다…");
        } else {
          say("인증을 마쳤습니다. 결제 결과를 확인합니다…");
        }
        form.submit();
      },
      function () {
        say("인증 중 문제가 생겼습니다. 결과를 확인합니다…");
        form.submit();
      }
    );
  });
})();
