"""The demo court website's content: a small, realistic district-court site (Indonesian, as real ones are)."""

from __future__ import annotations

from dataclasses import dataclass

DEMO_SLUG = "pn-contoh"
DEMO_COURT = "Pengadilan Negeri Contoh"
DEMO_CODE = "PN Ctn"


@dataclass(frozen=True)
class News:
    slug: str
    title: str
    days_ago: int  # published this many days before today, so the site always looks maintained
    hour: int
    summary: str
    body: tuple[str, ...]
    category: str = "Berita"


NEWS: tuple[News, ...] = (
    News(
        "rapat-evaluasi-kinerja-triwulan",
        "Rapat Evaluasi Kinerja Triwulan IV",
        1,
        9,
        "Ketua Pengadilan Negeri Contoh memimpin rapat evaluasi kinerja seluruh satuan kerja.",
        (
            "Ketua Pengadilan Negeri Contoh memimpin rapat evaluasi kinerja triwulan IV yang diikuti oleh para "
            "hakim, pejabat struktural dan fungsional di ruang rapat lantai 2.",
            "Rapat membahas capaian indikator kinerja utama, tindak lanjut hasil pengawasan, serta kesiapan "
            "pengadilan menghadapi penilaian akreditasi penjaminan mutu.",
        ),
    ),
    News(
        "sosialisasi-e-court-bagi-advokat",
        "Sosialisasi e-Court dan e-Litigasi bagi Advokat",
        3,
        13,
        "Pengadilan menggelar sosialisasi pendaftaran perkara dan persidangan secara elektronik.",
        (
            "Dalam rangka meningkatkan pelayanan, Pengadilan Negeri Contoh menyelenggarakan sosialisasi aplikasi "
            "e-Court dan e-Litigasi bagi advokat dan pengguna terdaftar.",
            "Peserta diajak mempraktikkan pendaftaran perkara, pembayaran panjar biaya perkara secara elektronik, "
            "dan pemanggilan para pihak melalui domisili elektronik.",
        ),
    ),
    News(
        "pengumuman-libur-nasional",
        "Pengumuman Jadwal Pelayanan pada Hari Libur Nasional",
        6,
        8,
        "Pelayanan PTSP tutup pada hari libur nasional dan cuti bersama.",
        (
            "Sehubungan dengan hari libur nasional dan cuti bersama, pelayanan terpadu satu pintu (PTSP) "
            "Pengadilan Negeri Contoh ditutup dan dibuka kembali pada hari kerja berikutnya.",
            "Pendaftaran perkara secara elektronik melalui e-Court tetap dapat dilakukan.",
        ),
        "Pengumuman",
    ),
    News(
        "zona-integritas-wbk",
        "Komitmen Pembangunan Zona Integritas menuju WBK",
        11,
        10,
        "Seluruh aparatur menandatangani pakta integritas pembangunan zona integritas.",
        (
            "Seluruh hakim dan aparatur Pengadilan Negeri Contoh menandatangani pakta integritas sebagai wujud "
            "komitmen membangun zona integritas menuju Wilayah Bebas dari Korupsi (WBK).",
        ),
    ),
    News(
        "mediasi-berhasil-perkara-perdata",
        "Mediasi Berhasil dalam Perkara Perdata Sengketa Tanah",
        17,
        14,
        "Para pihak sepakat berdamai melalui mediasi yang difasilitasi hakim mediator.",
        (
            "Perkara perdata sengketa tanah nomor 41/Pdt.G/2026/PN Ctn berakhir damai setelah para pihak "
            "menandatangani kesepakatan perdamaian di hadapan hakim mediator.",
        ),
    ),
    News(
        "pelatihan-pelayanan-prima",
        "Pelatihan Pelayanan Prima bagi Petugas PTSP",
        24,
        9,
        "Petugas PTSP mengikuti pelatihan pelayanan prima dan penanganan pengaduan.",
        ("Petugas PTSP mengikuti pelatihan pelayanan prima, termasuk layanan bagi penyandang disabilitas.",),
    ),
)

PAGES: dict[str, tuple[str, tuple[str, ...]]] = {
    "profil": (
        "Profil Pengadilan",
        (
            "Pengadilan Negeri Contoh adalah pengadilan tingkat pertama di lingkungan peradilan umum yang "
            "berwenang memeriksa, mengadili dan memutus perkara pidana dan perdata di wilayah hukumnya.",
            "Visi: Terwujudnya Pengadilan Negeri Contoh yang Agung.",
            "Misi: menjaga kemandirian badan peradilan; memberikan pelayanan hukum yang berkeadilan kepada "
            "pencari keadilan; meningkatkan kualitas kepemimpinan badan peradilan; meningkatkan kredibilitas "
            "dan transparansi badan peradilan.",
        ),
    ),
    "layanan-informasi-publik": (
        "Layanan Informasi Publik",
        (
            "Permohonan informasi dapat diajukan di meja PTSP atau melalui surat elektronik "
            "ppid@pn-contoh.go.id sesuai Standar Pelayanan Informasi Publik di Pengadilan.",
            "Informasi yang wajib diumumkan secara berkala: laporan keuangan, laporan kinerja, daftar "
            "informasi publik, dan putusan yang telah berkekuatan hukum tetap.",
        ),
    ),
    "maklumat-pelayanan": (
        "Maklumat Pelayanan",
        (
            "Dengan ini kami menyatakan sanggup menyelenggarakan pelayanan sesuai standar pelayanan yang telah "
            "ditetapkan dan apabila tidak menepati janji ini, kami siap menerima sanksi sesuai peraturan "
            "perundang-undangan yang berlaku.",
            "Ditetapkan di Kota Contoh oleh Ketua Pengadilan Negeri Contoh.",
        ),
    ),
    "tugas-pokok-dan-fungsi": (
        "Tugas Pokok dan Fungsi",
        (
            "Pengadilan Negeri Contoh bertugas dan berwenang memeriksa, memutus dan menyelesaikan perkara pidana "
            "dan perdata di tingkat pertama, sesuai Undang-Undang Nomor 2 Tahun 1986 tentang Peradilan Umum "
            "sebagaimana telah diubah terakhir dengan Undang-Undang Nomor 49 Tahun 2009.",
            "Wilayah hukum (yurisdiksi) Pengadilan Negeri Contoh meliputi seluruh kecamatan di Kabupaten Contoh. "
            "Selain tugas pokok, pengadilan memberikan keterangan, pertimbangan dan nasihat tentang hukum kepada "
            "instansi pemerintah di daerahnya apabila diminta.",
        ),
    ),
    "profil-hakim": (
        "Profil Pimpinan dan Hakim",
        (
            "Ketua: Dr. Andi Wibowo, S.H., M.H. Wakil Ketua: Siti Rahmawati, S.H., M.Hum.",
            "Hakim: Bambang Setiawan, S.H., M.H.; Ratna Dewi, S.H.; Yohanes Kristianto, S.H., M.H.; "
            "Nur Aini, S.H., M.H.; Fajar Nugroho, S.H. Seluruh hakim telah bersertifikat mediator dan "
            "sebagian bersertifikat hakim anak serta hakim lingkungan hidup.",
            "Riwayat pendidikan, jabatan dan karier setiap hakim dapat dilihat pada halaman masing-masing.",
        ),
    ),
    "pengumuman-lhkpn": (
        "Pengumuman LHKPN",
        (
            "Seluruh pimpinan, hakim dan pejabat struktural Pengadilan Negeri Contoh wajib menyampaikan Laporan "
            "Harta Kekayaan Penyelenggara Negara (LHKPN) kepada Komisi Pemberantasan Korupsi setiap tahun.",
            "Tingkat kepatuhan penyampaian LHKPN tahun pelaporan terakhir: 100 persen (17 dari 17 wajib lapor). "
            "Pengumuman lengkap dapat dilihat melalui e-LHKPN.",
        ),
    ),
    "prosedur-berperkara": (
        "Prosedur Berperkara",
        (
            "Perkara perdata didaftarkan di meja PTSP atau secara elektronik melalui e-Court. Pendaftar membayar "
            "panjar biaya perkara, menerima nomor perkara, lalu menunggu penetapan majelis hakim dan hari sidang.",
            "Perkara pidana dilimpahkan oleh Penuntut Umum. Permohonan (misalnya perubahan nama atau wali) "
            "diajukan dengan surat permohonan beserta bukti pendukung. Gugatan sederhana diselesaikan paling lama "
            "25 hari kerja sejak sidang pertama.",
        ),
    ),
    "biaya-perkara": (
        "Biaya Perkara",
        (
            "Panjar biaya perkara gugatan perdata ditetapkan dengan Surat Keputusan Ketua Pengadilan Negeri "
            "Contoh berdasarkan radius tempat tinggal para pihak. Contoh: gugatan dengan dua pihak dalam radius I "
            "Rp 1.250.000; permohonan Rp 450.000; gugatan sederhana Rp 750.000.",
            "Pembayaran dilakukan melalui bank atau e-payment; tidak ada pembayaran tunai kepada petugas.",
        ),
    ),
    "standar-pelayanan": (
        "Standar Pelayanan",
        (
            "Standar pelayanan Pengadilan Negeri Contoh meliputi pelayanan administrasi perkara, pelayanan "
            "informasi, pelayanan pengaduan, dan pelayanan bagi penyandang disabilitas, lengkap dengan "
            "persyaratan, alur, jangka waktu dan biaya.",
            "Permohonan salinan putusan dilayani paling lama 1 hari kerja setelah putusan diminutasi; legalisasi "
            "surat dilayani pada hari yang sama.",
        ),
    ),
    "laporan-anggaran": (
        "Laporan Anggaran (DIPA dan Realisasi)",
        (
            "Daftar Isian Pelaksanaan Anggaran (DIPA) Pengadilan Negeri Contoh tahun berjalan terdiri atas DIPA "
            "01 Badan Urusan Administrasi dan DIPA 03 Direktorat Jenderal Badan Peradilan Umum.",
            "Realisasi anggaran sampai dengan triwulan III: belanja pegawai 74 persen, belanja barang 68 persen, "
            "belanja modal 55 persen. Laporan keuangan tahunan telah direviu oleh Aparat Pengawasan Internal.",
        ),
    ),
    "laporan-kinerja": (
        "Laporan Kinerja (LKjIP)",
        (
            "Laporan Kinerja Instansi Pemerintah (LKjIP) menyajikan capaian sasaran strategis Pengadilan Negeri "
            "Contoh: persentase perkara yang diselesaikan tepat waktu 98 persen, persentase putusan yang tidak "
            "mengajukan upaya hukum 84 persen, dan indeks kepuasan masyarakat 3,62 dari 4.",
            "Dokumen LKjIP, Rencana Strategis dan Perjanjian Kinerja dapat diunduh pada halaman ini.",
        ),
    ),
    "kontak": (
        "Kontak",
        (
            "Jl. Contoh Raya No. 1, Kota Contoh, Jawa Timur 67100.",
            "Telepon (0343) 000000 · Surel info@pn-contoh.go.id.",
            "Jam pelayanan: Senin–Kamis 08.00–16.30 WIB, Jumat 08.00–17.00 WIB.",
            "Pengaduan masyarakat dapat disampaikan melalui meja pengaduan PTSP, kotak pengaduan di lobi, atau "
            "aplikasi SIWAS Mahkamah Agung. Setiap pengaduan ditanggapi paling lama 14 hari kerja.",
        ),
    ),
}

STRUCTURE: tuple[tuple[str, str], ...] = (
    ("Ketua", "Dr. Andi Wibowo, S.H., M.H."),
    ("Wakil Ketua", "Siti Rahmawati, S.H., M.Hum."),
    ("Panitera", "Bambang Supriyadi, S.H., M.H."),
    ("Sekretaris", "Dra. Endang Lestari, M.M."),
    ("Kasubbag Perencanaan, TI dan Pelaporan", "Rudi Hartono, S.Kom."),
    ("Kasubbag Umum dan Keuangan", "Wulan Sari, S.E."),
    ("Kasubbag Kepegawaian dan Ortala", "Agus Salim, S.H."),
    ("Panitera Muda Pidana", "Hendra Gunawan, S.H."),
    ("Panitera Muda Perdata", "Maria Ulfa, S.H."),
    ("Panitera Muda Hukum", "Yusuf Effendi, S.H."),
)

# Pages listed in the homepage's "Informasi Pengadilan" box (the main menu holds the others).
INFO_PAGES: tuple[str, ...] = (
    "tugas-pokok-dan-fungsi",
    "profil-hakim",
    "prosedur-berperkara",
    "biaya-perkara",
    "standar-pelayanan",
    "pengumuman-lhkpn",
    "laporan-anggaran",
    "laporan-kinerja",
)

# (case number, type, parties, room, hour, agenda); the schedule is dated today and tomorrow.
HEARINGS: tuple[tuple[str, str, str, str, str, str], ...] = (
    (
        "112/Pid.B/2026/PN Ctn",
        "Pidana",
        "Penuntut Umum lawan Terdakwa A.",
        "Ruang Sidang Utama",
        "09.00",
        "Pembacaan tuntutan",
    ),
    (
        "115/Pid.Sus/2026/PN Ctn",
        "Pidana Khusus",
        "Penuntut Umum lawan Terdakwa B.",
        "Ruang Sidang Cakra",
        "10.00",
        "Pemeriksaan saksi",
    ),
    (
        "41/Pdt.G/2026/PN Ctn",
        "Perdata",
        "Penggugat C. lawan Tergugat D.",
        "Ruang Sidang Kartika",
        "10.30",
        "Pembuktian",
    ),
    ("7/Pdt.G.S/2026/PN Ctn", "Gugatan Sederhana", "PT E. lawan F.", "Ruang Sidang Cakra", "13.00", "Putusan"),
    (
        "120/Pid.B/2026/PN Ctn",
        "Pidana",
        "Penuntut Umum lawan Terdakwa G.",
        "Ruang Sidang Utama",
        "13.30",
        "Pembacaan dakwaan",
    ),
)

# External services a court's homepage links to. They are links only: nothing fetches them.
LINKS: tuple[tuple[str, str], ...] = (
    ("SIPP (Sistem Informasi Penelusuran Perkara)", "https://sipp.pn-contoh.go.id/"),
    ("e-Court Mahkamah Agung", "https://ecourt.mahkamahagung.go.id/"),
    ("Direktori Putusan", "https://putusan3.mahkamahagung.go.id/"),
    ("JDIH Mahkamah Agung", "https://jdih.mahkamahagung.go.id/"),
    ("SIWAS (Pengaduan)", "https://siwas.mahkamahagung.go.id/"),
)
