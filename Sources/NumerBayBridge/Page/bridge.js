// The page nbkey serves on 127.0.0.1 (docs/BRIDGE.md, "The page"): it finds the browser wallet,
// relays nbkey's requests to it and posts the answers back. It never holds a key: the wallet
// signs and decrypts; only its answers pass through here.
"use strict";

(() => {
  const POLL_MS = 100;
  const DISCOVERY_MS = 400;
  const GIVE_UP_MS = 5000;

  const $ = (id) => document.getElementById(id);
  const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

  // The secret is in the fragment, so the browser sends it nowhere by itself. Take it, then
  // drop it from the address bar (and from the history entry).
  const match = /^#session=([0-9a-f]{64})$/.exec(location.hash);
  const secret = match ? match[1] : null;
  history.replaceState(null, "", location.pathname + location.search);

  let finished = false;
  let wake = () => {};

  // The poll's pause, cut short once an answer is posted: nbkey's next request is then near.
  function pause() {
    return new Promise((resolve) => {
      wake = resolve;
      setTimeout(resolve, POLL_MS);
    });
  }

  function show(state, texts = {}) {
    if (finished) return;
    for (const [id, text] of Object.entries(texts)) $(id).textContent = text;
    $("state").dataset.state = state;
  }

  function showError(message, hint) {
    if (finished) return;
    $("hint").hidden = !hint;
    show("error", { message, hint: hint || "" });
  }

  function fail(message, hint) {
    showError(message, hint);
    finished = true;
  }

  async function api(method, path, body) {
    const headers = { "X-NBKey-Session": secret };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    const response = await fetch(path, {
      method, headers, cache: "no-store", credentials: "omit", referrerPolicy: "no-referrer",
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!response.ok) {
      const error = new Error(`${method} ${path}: HTTP ${response.status}`);
      error.status = response.status;
      throw error;
    }
    return response.json();
  }

  // A POST is retried like a poll when nbkey cannot be reached; an HTTP refusal is final.
  async function post(path, body) {
    const start = Date.now();
    for (;;) {
      try {
        return await api("POST", path, body);
      } catch (error) {
        if (error.status || Date.now() - start > GIVE_UP_MS) return null;
        await sleep(POLL_MS);
      }
    }
  }

  // EIP-6963: the listener stays for the page's lifetime (a wallet may answer late), the first
  // announcement of a uuid counts and a repeated uuid is ignored.
  const announced = new Map();
  let choosing = false;
  window.addEventListener("eip6963:announceProvider", (event) => {
    const detail = event.detail;
    const uuid = detail && detail.info && detail.info.uuid;
    if (typeof uuid !== "string" || !detail.provider || announced.has(uuid)) return;
    announced.set(uuid, detail);
    if (choosing) showChooser();
  });

  function legacyName(provider) {
    if (provider.isRabby) return "Rabby";
    if (provider.isBraveWallet) return "Brave Wallet";
    if (provider.isMetaMask) return "MetaMask";
    return "browser wallet";
  }

  function showChooser() {
    const list = $("wallets");
    list.replaceChildren();
    for (const wallet of announced.values()) {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "wallet";
      const icon = String(wallet.info.icon || "");
      if (icon.startsWith("data:image/")) {
        const img = document.createElement("img");
        img.src = icon;
        img.alt = "";
        button.append(img);
      }
      const name = document.createElement("span");
      name.className = "name";
      name.textContent = String(wallet.info.name || wallet.info.rdns || "unnamed wallet");
      button.append(name);
      button.addEventListener("click", () => {
        if (!choosing) return; // a second click
        choosing = false;
        use(wallet.provider, wallet.info);
      });
      list.append(button);
    }
    show("chooser");
  }

  async function use(provider, info) {
    show("waiting", { title: "nbkey is working…", detail: "Connecting to your wallet." });
    await post("/api/event", { event: "wallet", name: String(info.name || ""), rdns: String(info.rdns || "") });
    if (typeof provider.on === "function") {
      provider.on("accountsChanged", (accounts) => {
        post("/api/event", { event: "accountsChanged", accounts: Array.isArray(accounts) ? accounts.map(String) : [] });
      });
      provider.on("disconnect", (error) => {
        const code = error && Number.isInteger(error.code) ? error.code : 4900;
        post("/api/event", { event: "disconnect", code, message: String((error && error.message) || "") });
      });
    }
    poll(provider);
  }

  // The wallet's answer, or its error as EIP-1193 describes it (-32603 when it gave no code).
  async function relay(provider, request) {
    show("waiting", { title: request.title || "Your wallet has a request", detail: request.detail || "", method: request.method });
    $("request").hidden = false;
    let answer;
    try {
      const result = await provider.request({ method: request.method, params: request.params });
      answer = { id: request.id, result: result === undefined ? null : result };
    } catch (error) {
      const code = error && Number.isInteger(error.code) ? error.code : -32603;
      const message = error && error.message !== undefined ? error.message : error;
      answer = { id: request.id, error: { code, message: String(message ?? "") } };
    }
    await post("/api/answer", answer);
    wake();
  }

  async function poll(provider) {
    const handled = new Set();
    let failingSince = null;
    while (!finished) {
      let next;
      try {
        next = await api("GET", "/api/next");
        failingSince = null;
      } catch {
        failingSince = failingSince ?? Date.now();
        if (Date.now() - failingSince >= GIVE_UP_MS) {
          fail("nbkey is no longer running.", "Run the command again and open the new URL it prints.");
          return;
        }
        await sleep(POLL_MS);
        continue;
      }
      if (next.state === "done") {
        show("done", { "done-message": next.message || "" });
        finished = true;
      } else if (next.state === "failed") {
        fail(next.message || "nbkey stopped with an error.", next.hint);
      } else if (next.state === "request" && !handled.has(next.id)) {
        // Not awaited: polling goes on while the wallet asks the user, so the page still
        // learns when nbkey gives up.
        handled.add(next.id);
        relay(provider, next);
      } else if (next.state === "wait") {
        show("waiting", { title: "nbkey is working…", detail: "The next request will appear here." });
        $("request").hidden = true;
      }
      if (!finished) await pause();
    }
  }

  async function start() {
    if (!secret) {
      fail("This page's address is incomplete.",
        "Open the exact URL nbkey printed (it ends with #session=…). Reloading the page drops it: run the command again.");
      return;
    }
    window.dispatchEvent(new Event("eip6963:requestProvider"));
    await sleep(DISCOVERY_MS);
    if (announced.size > 1) {
      choosing = true;
      showChooser();
    } else if (announced.size === 1) {
      const [wallet] = announced.values();
      use(wallet.provider, wallet.info);
    } else if (window.ethereum && typeof window.ethereum.request === "function") {
      use(window.ethereum, { name: legacyName(window.ethereum), rdns: "" });
    } else {
      showError("No browser wallet found in this browser.",
        "Open the URL in the browser that has your wallet extension (MetaMask, Rabby, Brave, …).");
      // nbkey fails the exchange; polling shows its own words for it.
      await post("/api/event", { event: "no-wallet" });
      poll(null);
    }
  }

  start();
})();
