/* Saved searches, kept in this browser: auditors are read-only, so nothing of theirs is written on the server. */
(function () {
  'use strict';
  const KEY = 'minxu.savedSearches';
  const text = JSON.parse(document.getElementById('search-text').textContent);
  const section = document.getElementById('saved-searches');
  const list = document.getElementById('saved-list');

  function load() {
    try { return JSON.parse(localStorage.getItem(KEY) || '[]'); } catch (err) { return []; }
  }

  function store(items) { localStorage.setItem(KEY, JSON.stringify(items)); render(); }

  function render() {
    const items = load();
    section.hidden = !items.length;
    list.replaceChildren();
    items.forEach(function (item, index) {
      const li = document.createElement('li');
      const link = document.createElement('a');
      link.href = location.pathname + '?' + item.query;
      link.textContent = item.name;
      const remove = document.createElement('button');
      remove.type = 'button';
      remove.className = 'link';
      remove.textContent = text.remove;
      remove.addEventListener('click', function () { const all = load(); all.splice(index, 1); store(all); });
      li.append(link, ' · ', remove);
      list.append(li);
    });
  }

  document.getElementById('save-search').addEventListener('click', function () {
    const params = new URLSearchParams(new FormData(document.getElementById('search-form')));
    Array.from(params.keys()).forEach(function (k) { if (!params.get(k)) params.delete(k); });
    const name = (window.prompt(text.prompt) || '').trim();
    if (!name) return;
    store(load().filter(function (i) { return i.name !== name; }).concat([{ name: name, query: params.toString() }]));
  });
  render();
})();
