const render = {
  header(u) {
    const header = document.querySelector('main header');
    header.querySelector('h2').textContent = u.username;
    header.querySelector('[data-fixture=name]').textContent = u.full_name;
    header.querySelector('[data-fixture=bio]').textContent = u.biography;
    header.querySelector('[data-fixture=posts]').textContent = u.media_count.toLocaleString('en') + ' posts';
    const followers = header.querySelector('a[href$="/followers/"]');
    followers.setAttribute('href', '/' + u.username + '/followers/');
    followers.querySelector('span[title]').setAttribute('title', u.follower_count.toLocaleString('en'));
    followers.querySelector('span[title]').textContent = (u.follower_count / 1000).toFixed(1) + 'K';
    header.querySelector('a[href$="/following/"]').setAttribute('href', '/' + u.username + '/following/');
  },
  tiles(nodes) {
    const grid = document.querySelector('.grid');
    grid.replaceChildren(...nodes.map((n) => {
      const a = document.createElement('a');
      a.href = '/p/' + n.code + '/';
      a.dataset.fixtureNav = 'post';
      const img = document.createElement('img');
      img.alt = n.caption.text;
      a.append(img, n.caption.text.slice(0, 60));
      return a;
    }));
  },
  comments(edges) {
    const list = document.querySelector('.comments');
    list.replaceChildren(...edges.map(({ node }) => {
      const li = document.createElement('li');
      const h3 = document.createElement('h3');
      const a = document.createElement('a');
      a.href = '/' + node.user.username + '/';
      a.textContent = node.user.username;
      h3.append(a);
      const span = document.createElement('span');
      span.dir = 'auto';
      span.textContent = node.text;
      li.append(h3, span);
      return li;
    }));
  },
};

async function graphql(variables) {
  const body = new URLSearchParams({ doc_id: '8845758582119845', variables: JSON.stringify(variables) });
  const response = await fetch('/graphql/query', { method: 'POST', body });
  return response.json();
}

function profileXhr(username) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('GET', '/api/v1/users/web_profile_info/?username=' + encodeURIComponent(username));
    xhr.setRequestHeader('X-IG-App-ID', '936619743392459');
    xhr.onload = () => resolve(JSON.parse(xhr.responseText));
    xhr.onerror = reject;
    xhr.send();
  });
}

async function showTimeline(username) {
  const answer = await graphql({ username, first: 12 });
  render.tiles(answer.data.xdt_api__v1__feed__user_timeline_graphql_connection.edges.map((e) => e.node));
}

async function showComments(code) {
  const answer = await new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', '/graphql/query');
    xhr.setRequestHeader('Content-Type', 'application/x-www-form-urlencoded');
    xhr.onload = () => resolve(JSON.parse(xhr.responseText.replace(/^for \(;;\);/, '')));
    xhr.onerror = reject;
    xhr.send(new URLSearchParams({ doc_id: '9051297654883472', variables: JSON.stringify({ media_id: code }) }).toString());
  });
  document.querySelector('.post').hidden = false;
  render.comments(answer.data.xdt_api__v1__media__media_id__comments__connection.edges);
}

document.addEventListener('click', async (event) => {
  const link = event.target.closest('a[data-fixture-nav]');
  if (!link) return;
  event.preventDefault();
  const path = link.getAttribute('href');
  if (link.dataset.fixtureNav === 'post') {
    history.pushState({}, '', path);
    await showComments(path.split('/')[2]);
    return;
  }
  const username = path.split('/')[1];
  history.pushState({}, '', path);
  document.querySelector('.post').hidden = true;
  const answer = await profileXhr(username);
  render.header(answer.data.user);
  await showTimeline(username);
});

if (PAGE.kind === 'profile') showTimeline(PAGE.handle);
if (PAGE.kind === 'post') showComments(PAGE.code);
