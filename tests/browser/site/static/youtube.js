function renderChannel(data) {
  const vm = data.header.pageHeaderRenderer.content.pageHeaderViewModel;
  const rows = vm.metadata.contentMetadataViewModel.metadataRows;
  document.querySelector('yt-page-header-renderer h1').textContent = vm.title.dynamicTextViewModel.text.content;
  document.querySelector('[data-fixture=meta]').textContent = rows.flatMap((r) => r.metadataParts.map((p) => p.text.content)).join(' • ');
  document.querySelector('[data-fixture=description]').textContent = vm.description.descriptionPreviewViewModel.description.content;
  const grid = document.querySelector('ytd-rich-grid-renderer');
  grid.replaceChildren();
  const tab = data.contents.twoColumnBrowseResultsRenderer.tabs.find((t) => t.tabRenderer.selected);
  appendVideos(tab.tabRenderer.content.richGridRenderer.contents);
}

function appendVideos(items) {
  const grid = document.querySelector('ytd-rich-grid-renderer');
  for (const it of items) {
    if (!it.richItemRenderer) continue;
    const v = it.richItemRenderer.content.videoRenderer;
    const item = document.createElement('ytd-rich-item-renderer');
    const thumb = document.createElement('div');
    thumb.className = 'thumb';
    const a = document.createElement('a');
    a.id = 'video-title-link';
    a.href = '/watch?v=' + v.videoId;
    a.textContent = v.title.runs[0].text;
    const views = document.createElement('span');
    views.textContent = ' ' + v.shortViewCountText.simpleText;
    item.append(thumb, a, views);
    grid.append(item);
  }
}

async function browse(body) {
  const response = await fetch('/youtubei/v1/browse?prettyPrint=false', {
    method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ context: { client: { clientName: 'WEB', hl: 'en' } }, ...body }),
  });
  return response.json();
}

async function loadMore(data) {
  const tab = data.contents.twoColumnBrowseResultsRenderer.tabs.find((t) => t.tabRenderer.selected);
  const last = tab.tabRenderer.content.richGridRenderer.contents.at(-1);
  const token = last.continuationItemRenderer.continuationEndpoint.continuationCommand.token;
  const more = await browse({ continuation: token });
  appendVideos(more.onResponseReceivedActions[0].appendContinuationItemsAction.continuationItems);
}

document.addEventListener('click', async (event) => {
  const link = event.target.closest('a[data-fixture-nav]');
  if (!link) return;
  event.preventDefault();
  const data = await browse({ browseId: link.dataset.browseId, params: 'EgZ2aWRlb3PyBgQKAjoA' });
  history.pushState({}, '', link.getAttribute('href'));
  renderChannel(data);
  document.dispatchEvent(new CustomEvent('yt-navigate-finish', { bubbles: true, detail: { pageType: 'browse' } }));
  await loadMore(data);
});

renderChannel(window.ytInitialData);
loadMore(window.ytInitialData);
