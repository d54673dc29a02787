/*
 * Stripe.js for Karma's pages: the wallet's card field and the payer's
 * 3-D Secure step (docs/design/card-payments.md).
 *
 * The server never sees a card number: Stripe.js sends it to Stripe (or to
 * localstripe's stand-in, in the demo and the tests) and the page hands the
 * server only the SetupIntent's id, which the server checks with Stripe.
 *
 * Loaded on demand by marketplace/states/stripe_js.py's event specs, which
 * call these and pass what they resolve with to an event handler:
 *
 *   karmaStripe.mountCard({jsUrl, publishableKey, clientSecret, containerId})
 *       -> {ok: true, error: ""} | {ok: false, error: "..."}
 *   karmaStripe.saveCard()
 *       -> {setup_intent: "seti_...", error: ""} | {setup_intent: "", error: "..."}
 *   karmaStripe.authenticate({jsUrl, publishableKey, clientSecret})
 *       -> {payment_intent: "pi_...", error: ""} | {payment_intent: "", error: "..."}
 *   karmaStripe.unmountCard() -> {ok: true, error: ""}
 *
 * None of them ever rejects: a failure is an `error` sentence for a person.
 */
(function () {
  "use strict";
  if (window.karmaStripe) {
    return;
  }

  const scripts = {}; // Stripe.js URL -> Promise of the Stripe function
  const clients = {}; // "url key" -> Stripe(key)
  const checks = {}; // PaymentIntent client secret -> the 3-D Secure step under way
  let field = null; // {stripe, element, clientSecret, saving} of the card field
  // what a PaymentIntent may say once the bank is satisfied (the server
  // checks it again with Stripe before it believes anything)
  const AUTHORIZED = ["requires_capture", "succeeded", "processing"];

  function loadStripe(url) {
    if (!scripts[url]) {
      scripts[url] = new Promise((resolve, reject) => {
        const tag = document.createElement("script");
        tag.src = url; // a classic script: the stand-in reads its own src
        tag.async = true;
        tag.onload = () =>
          window.Stripe ? resolve(window.Stripe) : reject(new Error("no Stripe"));
        tag.onerror = () => {
          delete scripts[url]; // the next attempt tries again
          reject(new Error("Stripe.js did not load"));
        };
        document.head.appendChild(tag);
      });
    }
    return scripts[url];
  }

  async function client(url, key) {
    const Stripe = await loadStripe(url);
    const name = url + " " + key;
    clients[name] = clients[name] || Stripe(key);
    return clients[name];
  }

  function sentence(error, fallback) {
    const message = error && (error.message || (error.error && error.error.message));
    return typeof message === "string" && message ? message : fallback;
  }

  async function container(id) {
    // the page may still be rendering the element that the server just showed
    for (let i = 0; i < 100; i++) {
      const found = document.getElementById(id);
      if (found) {
        return found;
      }
      await new Promise((resolve) => setTimeout(resolve, 30));
    }
    throw new Error("the card field is not on the page");
  }

  function unmountCard() {
    if (field) {
      try {
        field.element.destroy();
      } catch (ignored) {
        // already gone with its page
      }
      field = null;
    }
    return { ok: true, error: "" };
  }

  async function mountCard({ jsUrl, publishableKey, clientSecret, containerId }) {
    try {
      const stripe = await client(jsUrl, publishableKey);
      const into = await container(containerId);
      unmountCard();
      into.replaceChildren();
      const element = stripe.elements().create("card");
      element.mount(into);
      field = { stripe, element, clientSecret };
      const first = into.querySelector("input");
      if (first) {
        first.focus();
      }
      return { ok: true, error: "" };
    } catch (error) {
      return { ok: false, error: "The card field could not load. Reload the page." };
    }
  }

  function saveCard() {
    if (!field) {
      return Promise.resolve({ setup_intent: "", error: "Open the card form first." });
    }
    // a double click gets the first click's answer: one SetupIntent is
    // confirmed once, and the server keeps its card once
    field.saving = field.saving || confirmSetup(field);
    return field.saving;
  }

  async function confirmSetup(mounted) {
    try {
      const { stripe, element, clientSecret } = mounted;
      const result = await stripe.confirmCardSetup(clientSecret, {
        payment_method: { card: element },
      });
      if (result.error || !result.setupIntent) {
        const why = sentence(result.error, "The card was not accepted.");
        return { setup_intent: "", error: why };
      }
      return { setup_intent: result.setupIntent.id, error: "" };
    } catch (error) {
      return { setup_intent: "", error: sentence(error, "The card was not accepted.") };
    }
  }

  function authenticate(options) {
    // a double click waits for the bank's one check instead of a second
    const secret = options && options.clientSecret;
    checks[secret] = checks[secret] || confirmPayment(options || {});
    checks[secret].then(() => delete checks[secret]);
    return checks[secret];
  }

  async function confirmPayment({ jsUrl, publishableKey, clientSecret }) {
    try {
      const stripe = await client(jsUrl, publishableKey);
      const result = await stripe.confirmCardPayment(clientSecret);
      const intent = result.paymentIntent;
      // the stand-in answers a failed check with the intent, not an error
      if (result.error || !intent || !AUTHORIZED.includes(intent.status)) {
        const why = sentence(result.error, "Your bank did not confirm the payment.");
        return { payment_intent: "", error: why };
      }
      return { payment_intent: intent.id, error: "" };
    } catch (error) {
      const why = sentence(error, "Your bank did not confirm the payment.");
      return { payment_intent: "", error: why };
    }
  }

  window.karmaStripe = Object.freeze({
    mountCard,
    saveCard,
    authenticate,
    unmountCard,
  });
})();
