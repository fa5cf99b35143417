"""Pages an Indonesian court website must publish (SK KMA 2-144/KMA/SK/VIII/2022, court-website content).

Each entry has typical paths and keywords; a court whose URLs differ has its pages found through the link texts
of its homepage menu. ``link_pattern``: a homepage link to that address (SIPP, putusan, SIWAS) is enough.
``max_age_days``: how old the page may be (yearly reports 400 days, news 30, the court schedule 14).
"""

from __future__ import annotations

from typing import Any

DEFAULT_COURT_PAGES: tuple[dict[str, Any], ...] = (
    {
        "key": "profil",
        "title": "Profil pengadilan",
        "paths": ["/profil", "/profil-pengadilan", "/tentang-pengadilan/profil-pengadilan"],
        "keywords": ["profil pengadilan", "sejarah dan profil", "sejarah pengadilan", "tentang pengadilan"],
    },
    {
        "key": "tupoksi",
        "title": "Tugas pokok dan fungsi / yurisdiksi",
        "paths": ["/tugas-pokok-dan-fungsi", "/tupoksi", "/yurisdiksi"],
        "keywords": ["tugas pokok", "tupoksi", "tugas dan fungsi", "yurisdiksi", "wilayah hukum"],
    },
    {
        "key": "struktur_organisasi",
        "title": "Struktur organisasi",
        "paths": ["/struktur-organisasi", "/tentang-pengadilan/struktur-organisasi"],
        "keywords": ["struktur organisasi", "bagan organisasi", "susunan organisasi"],
    },
    {
        "key": "pimpinan_hakim",
        "title": "Pimpinan dan hakim",
        "paths": ["/profil-hakim", "/hakim", "/profil-pimpinan"],
        "keywords": ["profil pimpinan", "profil hakim", "pimpinan", "daftar hakim", "hakim dan pegawai"],
        "max_age_days": 400,
    },
    {
        "key": "lhkpn",
        "title": "Pengumuman LHKPN",
        "paths": ["/lhkpn", "/pengumuman-lhkpn"],
        "keywords": ["lhkpn", "harta kekayaan"],
        "max_age_days": 400,
    },
    {
        "key": "prosedur_berperkara",
        "title": "Prosedur berperkara",
        "paths": ["/prosedur-berperkara", "/tata-cara-berperkara"],
        "keywords": [
            "prosedur berperkara",
            "tata cara berperkara",
            "tata cara pengajuan",
            "prosedur pengajuan",
            "alur perkara",
        ],
    },
    {
        "key": "biaya_perkara",
        "title": "Biaya perkara (panjar)",
        "paths": ["/biaya-perkara", "/panjar-biaya-perkara"],
        "keywords": ["biaya perkara", "panjar biaya", "panjar"],
        "min_text_chars": 100,
    },
    {
        "key": "jadwal_sidang",
        "title": "Jadwal sidang",
        "paths": ["/jadwal-sidang", "/agenda-sidang"],
        "keywords": ["jadwal sidang", "agenda sidang", "jadwal persidangan"],
        "min_text_chars": 100,
        "max_age_days": 14,
    },
    {"key": "sipp", "title": "Tautan SIPP", "link_pattern": r"//sipp\.", "keywords": ["sipp", "penelusuran perkara"]},
    {
        "key": "putusan",
        "title": "Direktori putusan",
        "link_pattern": r"putusan\d?\.mahkamahagung\.go\.id",
        "keywords": ["direktori putusan", "putusan"],
    },
    {
        "key": "standar_pelayanan",
        "title": "Standar pelayanan",
        "paths": ["/standar-pelayanan", "/standar-layanan"],
        "keywords": ["standar pelayanan", "standar layanan", "maklumat pelayanan"],
    },
    {
        "key": "pengaduan",
        "title": "Pengaduan (SIWAS)",
        "link_pattern": r"siwas\.mahkamahagung\.go\.id",
        "paths": ["/pengaduan"],
        "keywords": ["siwas", "pengaduan"],
    },
    {
        "key": "permohonan_informasi",
        "title": "Prosedur permohonan informasi",
        "paths": ["/prosedur-permohonan-informasi", "/ppid"],
        "keywords": ["permohonan informasi", "layanan informasi", "informasi publik", "ppid"],
    },
    {
        "key": "anggaran",
        "title": "Laporan anggaran (DIPA / realisasi)",
        "paths": ["/dipa", "/laporan-anggaran", "/realisasi-anggaran"],
        "keywords": ["dipa", "realisasi anggaran", "laporan anggaran", "laporan keuangan"],
        "max_age_days": 400,
    },
    {
        "key": "kinerja",
        "title": "Laporan kinerja (LKjIP)",
        "paths": ["/lkjip", "/laporan-kinerja", "/sakip"],
        "keywords": ["lkjip", "laporan kinerja", "sakip", "lakip"],
        "max_age_days": 400,
    },
    {
        "key": "berita",
        "title": "Berita",
        "paths": ["/berita", "/category/berita", "/index.php/berita"],
        "keywords": ["berita", "kegiatan"],
        "max_age_days": 30,
    },
)
