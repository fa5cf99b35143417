from django.urls import path

from jaga.demo import inbox, site

app_name = "demo"

urlpatterns = [
    path("", site.home, name="home"),
    path("struktur-organisasi/", site.structure, name="structure"),
    path("jadwal-sidang/", site.hearings, name="hearings"),
    path("berita/", site.news_list, name="news"),
    path("berita/<slug:slug>/", site.news_detail, name="news-detail"),
    path("sitemap.xml", site.sitemap, name="sitemap"),
    path("feed/", site.feed, name="feed"),
    path("robots.txt", site.robots, name="robots"),
    path("gaya.css", site.stylesheet, name="stylesheet"),
    path("pesan-masuk/", inbox.inbox, name="inbox"),
    path("<slug:slug>/", site.page, name="page"),
]
