function compact(n) { return n >= 1e6 ? (n / 1e6).toFixed(1) + 'M' : n >= 1e3 ? (n / 1e3).toFixed(1) + 'K' : String(n); }

function renderUser(info) {
  const set = (name, text) => { document.querySelector('[data-e2e="' + name + '"]').textContent = text; };
  set('user-title', info.user.uniqueId);
  set('user-subtitle', info.user.nickname);
  set('followers-count', compact(info.stats.followerCount));
  set('following-count', compact(info.stats.followingCount));
  set('likes-count', compact(info.stats.heartCount));
  set('user-bio', info.user.signature);
}

function renderVideos(items) {
  const list = document.querySelector('[data-e2e="user-post-item-list"]');
  list.replaceChildren(...items.map((it) => {
    const box = document.createElement('div');
    box.dataset.e2e = 'user-post-item';
    const a = document.createElement('a');
    a.href = '/@' + it.author.uniqueId + '/video/' + it.id;
    a.textContent = it.desc.slice(0, 50);
    const views = document.createElement('strong');
    views.dataset.e2e = 'video-views';
    views.textContent = compact(it.stats.playCount);
    box.append(a, views);
    return box;
  }));
}

async function loadVideos(secUid) {
  const response = await fetch('/api/post/item_list/?aid=1988&count=35&cursor=0&secUid=' + encodeURIComponent(secUid));
  const answer = await response.json();
  renderVideos(answer.itemList);
}

function userDetail(handle) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('GET', '/api/user/detail/?aid=1988&uniqueId=' + encodeURIComponent(handle));
    xhr.responseType = 'json';
    xhr.onload = () => resolve(xhr.response);
    xhr.onerror = reject;
    xhr.send();
  });
}

document.addEventListener('click', async (event) => {
  const link = event.target.closest('a[data-fixture-nav]');
  if (!link) return;
  event.preventDefault();
  const path = link.getAttribute('href');
  const detail = await userDetail(path.slice(2));
  history.pushState({}, '', path);
  renderUser(detail.userInfo);
  await loadVideos(detail.userInfo.user.secUid);
});

const initial = JSON.parse(document.getElementById('__UNIVERSAL_DATA_FOR_REHYDRATION__').textContent);
loadVideos(initial.__DEFAULT_SCOPE__['webapp.user-detail'].userInfo.user.secUid);
