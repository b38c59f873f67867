/* 꾸러미 kiosk screen (templates/kiosk/screen.html): plain JavaScript, no framework.
 *
 * - Attract loop: the slides rendered by the server rotate every `rotation_seconds`; a bundle whose
 *   picture fails to load is dropped, and with nothing left the municipality's brand screen shows.
 * - A touch (or a key) stops the loop and opens browsing by category; after `idle_seconds` without a
 *   touch the screen goes back to the loop.
 * - Every few minutes it asks for content.json and redraws when the content changed; when the network is
 *   down the service worker answers from its cache, so the last content stays on screen.
 * - A heartbeat every minute tells staff the screen is alive. No cookies are sent with it.
 */
(function () {
  "use strict";

  const config = JSON.parse(document.getElementById("kiosk-config").textContent);
  const strings = config.strings;
  let content = JSON.parse(document.getElementById("kiosk-content").textContent);

  const byId = (id) => document.getElementById(id);
  const el = {
    attract: byId("attract"),
    slides: byId("slides"),
    dots: byId("slide-dots"),
    brand: byId("brand"),
    browse: byId("browse"),
    tabs: byId("browse-tabs"),
    grid: byId("browse-grid"),
    detail: byId("browse-detail"),
    detailSlide: byId("browse-detail-slide"),
    status: byId("kiosk-status"),
    hint: byId("kiosk-hint"),
  };
  // A touch that opens browsing must not also "click" whatever lands under the finger.
  const TOUCH_GUARD_MS = 450;

  const broken = new Set(); // bundle ids whose picture could not be loaded
  let mode = "attract";
  let current = 0;
  let rotationTimer = null;
  let idleTimer = null;
  let browseOpenedAt = 0;
  let selectedCategory = null;

  // --- helpers ---------------------------------------------------------------------------------------
  function format(template, values) {
    return template.replace(/%\((\w+)\)s/g, (match, key) => String(values[key]));
  }

  function make(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function bundleMap() {
    const map = new Map();
    for (const bundle of content.bundles) {
      if (!broken.has(bundle.id)) map.set(bundle.id, bundle);
    }
    return map;
  }

  function loopBundles() {
    const map = bundleMap();
    return content.loop.map((id) => map.get(id)).filter(Boolean);
  }

  function browseCategories() {
    const map = bundleMap();
    return content.categories
      .map((category) => ({ ...category, ids: category.ids.filter((id) => map.has(id)) }))
      .filter((category) => category.ids.length > 0);
  }

  function watchPicture(img, bundleId) {
    if (img.complete && img.naturalWidth === 0 && img.getAttribute("src")) {
      pictureFailed(bundleId);
      return;
    }
    img.addEventListener("error", () => pictureFailed(bundleId), { once: true });
  }

  // --- one bundle, the same markup as templates/kiosk/partials/_slide.html ---------------------------
  function renderSlide(bundle, isCurrent) {
    const slide = make("article", "slide" + (isCurrent ? " is-current" : ""));
    slide.dataset.bundleId = String(bundle.id);
    if (!isCurrent) slide.setAttribute("aria-hidden", "true");

    const photo = make("div", "slide-photo");
    const img = make("img");
    img.src = bundle.image;
    img.alt = "";
    img.decoding = "async";
    watchPicture(img, bundle.id);
    photo.append(img);

    const info = make("div", "slide-info");
    info.append(make("p", "slide-category", bundle.category_label));
    info.append(make("h2", "slide-name", bundle.name));
    info.append(make("p", "slide-summary", bundle.summary));
    if (bundle.items.length) {
      info.append(make("h3", "slide-items-title", strings.items_title));
      const list = make("ul", "slide-items");
      for (const item of bundle.items) list.append(make("li", "", item));
      if (bundle.more_items) list.append(make("li", "slide-items-more", format(strings.more_items, { n: bundle.more_items })));
      info.append(list);
    }
    info.append(make("p", "slide-price", bundle.price_text));

    const qr = make("figure", "slide-qr");
    const code = make("img");
    code.src = bundle.qr;
    code.alt = format(strings.qr_alt, { name: bundle.name });
    code.width = 320;
    code.height = 320;
    qr.append(code, make("figcaption", "", strings.qr_caption));

    slide.append(photo, info, qr);
    return slide;
  }

  // --- attract loop ----------------------------------------------------------------------------------
  function slideNodes() {
    return Array.from(el.slides.children);
  }

  function showSlide(index) {
    const slides = slideNodes();
    if (!slides.length) return;
    current = ((index % slides.length) + slides.length) % slides.length;
    slides.forEach((slide, i) => {
      const on = i === current;
      slide.classList.toggle("is-current", on);
      if (on) slide.removeAttribute("aria-hidden");
      else slide.setAttribute("aria-hidden", "true");
    });
    Array.from(el.dots.children).forEach((dot, i) => dot.classList.toggle("is-current", i === current));
  }

  function stopRotation() {
    clearInterval(rotationTimer);
    rotationTimer = null;
  }

  function startRotation() {
    stopRotation();
    if (slideNodes().length > 1) {
      rotationTimer = setInterval(() => showSlide(current + 1), content.kiosk.rotation_seconds * 1000);
    }
  }

  function renderLoop() {
    const bundles = loopBundles();
    el.slides.replaceChildren(...bundles.map((bundle, i) => renderSlide(bundle, i === 0)));
    el.dots.replaceChildren(...bundles.map((bundle, i) => make("li", i === 0 ? "is-current" : "")));
    el.attract.dataset.version = content.version;
    current = 0;
  }

  function renderBrand() {
    const code = el.brand.querySelector(".brand-qr img");
    if (code && content.brand.qr) code.src = content.brand.qr;
  }

  function showAttract() {
    mode = "attract";
    clearTimeout(idleTimer);
    const hasSlides = slideNodes().length > 0;
    el.attract.hidden = !hasSlides;
    el.brand.hidden = hasSlides;
    el.browse.hidden = true;
    el.hint.hidden = browseCategories().length === 0;
    document.body.dataset.mode = hasSlides ? "attract" : "brand";
    showSlide(0);
    startRotation();
  }

  function pictureFailed(bundleId) {
    if (broken.has(bundleId)) return;
    broken.add(bundleId);
    const slide = el.slides.querySelector(`.slide[data-bundle-id="${bundleId}"]`);
    if (slide) {
      const index = slideNodes().indexOf(slide);
      slide.remove();
      const dot = el.dots.children[index];
      if (dot) dot.remove();
      if (mode === "attract") {
        showAttract();
        if (index > 0 && slideNodes().length) showSlide(index);
      }
    }
    if (mode === "browse" && el.detail.hidden) renderBrowse();
  }

  // --- browsing by category --------------------------------------------------------------------------
  function renderBrowse() {
    const categories = browseCategories();
    if (!categories.some((category) => category.value === selectedCategory)) {
      selectedCategory = categories.length ? categories[0].value : null;
    }
    el.tabs.replaceChildren(
      ...categories.map((category) => {
        const tab = make("button", "browse-tab", category.label);
        tab.type = "button";
        tab.dataset.category = category.value;
        tab.setAttribute("aria-pressed", String(category.value === selectedCategory));
        return tab;
      }),
    );
    const map = bundleMap();
    const chosen = categories.find((category) => category.value === selectedCategory);
    el.grid.replaceChildren(
      ...(chosen ? chosen.ids : []).map((id) => {
        const bundle = map.get(id);
        const card = make("button", "browse-card");
        card.type = "button";
        card.dataset.bundleId = String(id);
        card.setAttribute("aria-label", format(strings.open_bundle, { name: bundle.name }));
        const img = make("img");
        img.src = bundle.image;
        img.alt = "";
        img.loading = "lazy";
        watchPicture(img, id);
        card.append(img, make("span", "browse-card-name", bundle.name), make("span", "browse-card-price", bundle.price_text));
        return card;
      }),
    );
  }

  function openDetail(id) {
    const bundle = bundleMap().get(id);
    if (!bundle) return;
    el.detailSlide.replaceChildren(renderSlide(bundle, true));
    el.detail.hidden = false;
    el.tabs.hidden = true;
    el.grid.hidden = true;
  }

  function closeDetail() {
    el.detail.hidden = true;
    el.tabs.hidden = false;
    el.grid.hidden = false;
    el.detailSlide.replaceChildren();
  }

  function resetIdle() {
    clearTimeout(idleTimer);
    idleTimer = setTimeout(showAttract, content.kiosk.idle_seconds * 1000);
  }

  function showBrowse() {
    if (browseCategories().length === 0) return;
    mode = "browse";
    browseOpenedAt = Date.now();
    stopRotation();
    el.attract.hidden = true;
    el.brand.hidden = true;
    el.browse.hidden = false;
    document.body.dataset.mode = "browse";
    el.hint.hidden = true;
    renderBrowse();
    closeDetail();
    resetIdle();
  }

  function onTouch() {
    if (mode === "browse") resetIdle();
    else showBrowse();
  }

  function onClick(event) {
    if (mode !== "browse" || Date.now() - browseOpenedAt < TOUCH_GUARD_MS) return;
    const target = event.target.closest("button");
    if (!target) return;
    if (target.dataset.action === "home") showAttract();
    else if (target.dataset.action === "back") closeDetail();
    else if (target.dataset.category) {
      selectedCategory = target.dataset.category;
      renderBrowse();
    } else if (target.dataset.bundleId) openDetail(Number(target.dataset.bundleId));
  }

  // --- fresh content, heartbeat, offline -------------------------------------------------------------
  function setOffline(offline) {
    el.status.hidden = !offline;
    document.body.classList.toggle("is-offline", offline);
  }

  async function refreshContent() {
    try {
      const response = await fetch(config.urls.content, {
        cache: "no-store",
        credentials: "omit",
        headers: { Accept: "application/json" },
      });
      if (response.status === 404) {
        window.location.reload(); // the screen's URL was revoked: show what the server says
        return;
      }
      if (!response.ok) throw new Error(`content ${response.status}`);
      setOffline(response.headers.get("X-Kiosk-Offline") === "1");
      const fresh = await response.json();
      if (fresh.version === content.version) return;
      content = fresh;
      broken.clear();
      renderLoop();
      renderBrand();
      if (mode === "attract") showAttract();
      else if (el.detail.hidden) renderBrowse();
    } catch (error) {
      setOffline(true);
    }
  }

  function sendHeartbeat() {
    fetch(config.urls.heartbeat, {
      method: "POST",
      credentials: "omit",
      keepalive: true,
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ version: content.version }),
    })
      .then((response) => {
        if (response.status === 404) window.location.reload();
      })
      .catch(() => setOffline(true));
  }

  function registerServiceWorker() {
    if (!("serviceWorker" in navigator)) return;
    const markReady = () => {
      if (navigator.serviceWorker.controller) document.body.dataset.offline = "ready";
    };
    navigator.serviceWorker.addEventListener("controllerchange", markReady);
    navigator.serviceWorker.register(config.urls.service_worker, { scope: config.urls.screen }).catch(() => {});
    markReady();
  }

  // --- start -----------------------------------------------------------------------------------------
  for (const slide of slideNodes()) {
    const img = slide.querySelector(".slide-photo img");
    if (img) watchPicture(img, Number(slide.dataset.bundleId));
  }
  document.addEventListener("pointerdown", onTouch);
  document.addEventListener("keydown", onTouch);
  document.addEventListener("click", onClick);
  // Long presses and right clicks open nothing on an unattended screen.
  document.addEventListener("contextmenu", (event) => event.preventDefault());
  showAttract();
  registerServiceWorker();
  refreshContent();
  sendHeartbeat();
  setInterval(refreshContent, config.content_refresh_seconds * 1000);
  setInterval(sendHeartbeat, config.heartbeat_seconds * 1000);
})();
