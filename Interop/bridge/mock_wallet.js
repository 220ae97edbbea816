// A scriptable EIP-1193 wallet for Interop/bridge/test_browser.py, injected before any page script
// (CDP Page.addScriptToEvaluateOnNewDocument) after a line that sets window.__mockWalletConfig:
//   {wallets: [{uuid, name, rdns, icon}], ethereum: bool, holdDiscovery: bool}
// Each announced wallet (EIP-6963, announced twice per requestProvider, so a repeated uuid is
// always there) and window.ethereum is its own provider. provider.request() queues
// {id, wallet, method, params} and returns a pending Promise that Python settles through
// window.__mockWallet.resolve(id, value) or .reject(id, {code, message}). holdDiscovery keeps the
// page's 400 ms discovery timer from firing until .release(), so its first state can be captured.
"use strict";

(() => {
  const config = window.__mockWalletConfig || { wallets: [], ethereum: false };
  const queue = [];
  const pending = new Map();
  const providers = {};
  let nextId = 1;

  function makeProvider(label) {
    const listeners = {};
    return {
      request({ method, params }) {
        const id = nextId++;
        queue.push({ id, wallet: label, method, params: params === undefined ? null : params });
        return new Promise((resolve, reject) => pending.set(id, { resolve, reject }));
      },
      on(event, listener) {
        (listeners[event] = listeners[event] || []).push(listener);
        return this;
      },
      removeListener(event, listener) {
        listeners[event] = (listeners[event] || []).filter((l) => l !== listener);
        return this;
      },
      emit(event, arg) {
        for (const listener of listeners[event] || []) listener(arg);
        return (listeners[event] || []).length;
      },
    };
  }

  const held = [];
  if (config.holdDiscovery) {
    const setTimeout = window.setTimeout;
    window.setTimeout = (callback, delay, ...args) =>
      delay === 400 ? held.push(() => callback(...args)) : setTimeout(callback, delay, ...args);
  }

  for (const info of config.wallets) providers[info.name] = makeProvider(info.name);
  if (config.ethereum) window.ethereum = providers["window.ethereum"] = makeProvider("window.ethereum");

  window.addEventListener("eip6963:requestProvider", () => {
    for (let copy = 0; copy < 2; copy++) {
      for (const info of config.wallets) {
        const detail = Object.freeze({ info: Object.freeze({ ...info }), provider: providers[info.name] });
        window.dispatchEvent(new CustomEvent("eip6963:announceProvider", { detail }));
      }
    }
  });

  function settle(id) {
    const entry = pending.get(id);
    if (!entry) throw new Error(`no pending wallet request ${id}`);
    pending.delete(id);
    return entry;
  }

  window.__mockWallet = {
    take: () => queue.splice(0),
    resolve: (id, value) => settle(id).resolve(value),
    reject: (id, error) => {
      const e = new Error(error.message || "");
      if (error.code !== undefined) e.code = error.code;
      settle(id).reject(e);
    },
    release: () => held.splice(0).forEach((callback) => callback()),
    // Returns how many listeners the page registered for the event.
    emit: (wallet, event, arg) => providers[wallet].emit(event, arg),
  };
})();
