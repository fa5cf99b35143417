# ruff: noqa: E501  (prose: one step per line, as people read and edit it)
"""The runbooks Jaga starts with: the problems a court's website team meets most, in Indonesian and English.

Seeded once (``jaga.incidents.services.runbooks.runbooks_seed``, from a migration and ``jaga bootstrap``);
an administrator edits them and adds more in the admin. A seed never overwrites an edited runbook.
"""

RUNBOOKS: list[dict[str, object]] = [
    {
        "slug": "hosting-down",
        "kinds": ["outage"],
        "title_id": "Hosting atau server situs mati",
        "title_en": "The hosting or the site's server is down",
        "steps_id": """Lihat diagnostik insiden: DNS menjawab? TCP ke port 443 tersambung? Jawaban HTTP apa?
Bila DNS gagal: lihat runbook "Sewa domain belum dibayar" dan periksa server nama di registrar.
Bila TCP ditolak atau habis waktu: buka panel hosting (cPanel/Plesk) atau konsol server; periksa apakah server menyala.
Bila server menyala tetapi web mati: mulai ulang layanan web (nginx/apache) dan PHP-FPM; lihat log galatnya.
Bila jawaban 5xx: lihat log galat aplikasi (CMS), ruang disk (df -h) dan basis data.
Bila hosting milik pihak ketiga: buka tiket di penyedia hosting, catat nomor tiketnya di insiden (tingkat 3).
Setelah situs kembali: biarkan monitor memastikan situs dapat diakses; tulis penyebabnya di insiden.""",
        "steps_en": """Read the incident's diagnostics: does DNS answer? Does TCP to port 443 connect? Which HTTP answer?
If DNS fails: see the runbook "Domain rental unpaid" and check the name servers at the registrar.
If TCP is refused or times out: open the hosting panel (cPanel/Plesk) or the server console; check the server is on.
If the server is on but the web is not: restart the web service (nginx/apache) and PHP-FPM; read its error log.
If the answer is 5xx: read the application's (CMS) error log, the disk space (df -h) and the database.
If a third party hosts it: open a ticket with the hosting provider and record its number on the incident (tier 3).
Once the site is back: let the monitor confirm it is available; write the cause on the incident.""",
    },
    {
        "slug": "domain-unpaid",
        "kinds": ["outage", "renewal_due"],
        "title_id": "Sewa domain (.go.id) belum dibayar",
        "title_en": "Domain rental (.go.id) unpaid",
        "steps_id": """Periksa tanggal berakhir domain di register perpanjangan Jaga atau di RDAP PANDI (rdap.pandi.id).
Bila domain berstatus "client hold" atau berakhir: situs hilang dari internet walaupun server menyala (presiden.go.id, November 2022).
Hubungi Kasubbag Umum dan Keuangan: pembayaran perpanjangan domain harus segera diproses (tingkat 2).
Bayar di pengelola domain .go.id (Kominfo/PANDI) sesuai prosedurnya; simpan bukti bayar di kasus perpanjangan.
Setelah dibayar, status domain dipulihkan oleh registri; DNS dapat perlu beberapa jam untuk menyebar.
Catat tanggal berakhir yang baru; Jaga mengingatkan 90 hari sebelumnya.""",
        "steps_en": """Check the domain's expiry in Jaga's renewals register or in PANDI's RDAP (rdap.pandi.id).
If the domain is on "client hold" or expired: the site disappears from the internet even though the server runs (presiden.go.id, November 2022).
Tell the Head of General Affairs and Finance: the domain renewal payment must be processed now (tier 2).
Pay the .go.id domain manager (Kominfo/PANDI) as its procedure says; keep the proof of payment on the renewal case.
Once paid, the registry restores the domain; DNS may take a few hours to spread.
Record the new expiry date; Jaga reminds 90 days before.""",
    },
    {
        "slug": "certificate-expired",
        "kinds": ["outage"],
        "title_id": "Sertifikat TLS kedaluwarsa",
        "title_en": "TLS certificate expired",
        "steps_id": """Lihat diagnostik TLS insiden: penerbit, tanggal berakhir, nama host yang cocok.
Untuk Let's Encrypt: jalankan pembaruan (certbot renew atau menu SSL di panel hosting) lalu muat ulang layanan web.
Untuk sertifikat berbayar: minta sertifikat baru ke penyedianya (tingkat 2 bila perlu pembayaran), pasang, muat ulang.
Periksa rantai sertifikat lengkap (sertifikat antara) dan nama host (www dan tanpa www).
Pastikan pembaruan otomatis berjalan (timer certbot, cron) agar tidak terulang.""",
        "steps_en": """Read the incident's TLS diagnostics: issuer, expiry date, whether the host name matches.
For Let's Encrypt: run the renewal (certbot renew or the hosting panel's SSL menu), then reload the web service.
For a paid certificate: ask its provider for a new one (tier 2 if it must be paid), install it, reload.
Check the full chain (intermediate certificates) and the host names (with and without www).
Make sure the automatic renewal runs (certbot timer, cron) so that it does not happen again.""",
    },
    {
        "slug": "defacement-spam",
        "kinds": ["integrity"],
        "title_id": "Deface atau spam judi yang disisipkan",
        "title_en": "Defacement or injected gambling spam",
        "steps_id": """Temukan: buka temuan integritas di monitor (halaman, kata, tautan); periksa juga tampilan untuk Googlebot (cloaking).
Amankan bukti: tangkapan layar dan salinan halaman/berkas yang berubah, lampirkan di insiden.
Bersihkan: pulihkan berkas dari cadangan yang bersih, atau hapus kode sisipan (cari base64_decode, eval, berkas PHP baru di uploads).
Tutup celahnya: perbarui CMS, tema dan plugin; hapus plugin yang tidak dipakai; ganti semua kata sandi admin, FTP, basis data.
Periksa akun admin CMS yang tidak dikenal (lihat runbook "Akun admin CMS dibobol").
Minta mesin pencari menghapus halaman spam: Google Search Console → Penghapusan, dan minta peninjauan ulang bila ada peringatan keamanan.
Laporkan ke Sekretaris dalam laporan keadaan; untuk serangan berat libatkan pihak ketiga (tingkat 3).""",
        "steps_en": """Find it: open the monitor's integrity findings (pages, words, links); also check what Googlebot is served (cloaking).
Keep the evidence: screenshots and copies of the changed pages/files, attached to the incident.
Clean it: restore the files from a clean backup, or remove the injected code (look for base64_decode, eval, new PHP files under uploads).
Close the hole: update the CMS, theme and plugins; remove unused plugins; change every admin, FTP and database password.
Look for unknown CMS admin accounts (see the runbook "CMS admin account compromised").
Ask the search engine to drop the spam pages: Google Search Console → Removals, and request a review if there is a security warning.
Report it to the Secretary in the situation report; for a serious attack involve a third party (tier 3).""",
    },
    {
        "slug": "database-down",
        "kinds": ["outage"],
        "title_id": "Basis data penuh atau mati",
        "title_en": "Database full or crashed",
        "steps_id": """Gejala: situs menampilkan "Error establishing a database connection" atau jawaban 500.
Periksa layanan basis data (systemctl status mariadb/mysql atau panel hosting) dan log galatnya.
Periksa ruang disk (df -h): disk penuh menghentikan basis data; hapus log lama atau berkas sementara.
Bila tabel rusak: jalankan mariadb-check --auto-repair (atau "Repair" di phpMyAdmin) setelah mencadangkan.
Bila tidak dapat diperbaiki: pulihkan dump terakhir yang terverifikasi dari cadangan Jaga.
Catat penyebabnya dan tambahkan pemantauan ruang disk agar tidak terulang.""",
        "steps_en": """Symptoms: the site shows "Error establishing a database connection" or answers 500.
Check the database service (systemctl status mariadb/mysql or the hosting panel) and its error log.
Check the disk space (df -h): a full disk stops the database; remove old logs or temporary files.
If tables are damaged: run mariadb-check --auto-repair (or "Repair" in phpMyAdmin) after taking a backup.
If it cannot be repaired: restore the last verified dump from Jaga's backups.
Write down the cause and add disk-space monitoring so that it does not happen again.""",
    },
    {
        "slug": "backup-disk-full",
        "kinds": ["backup_failed"],
        "title_id": "Disk cadangan penuh",
        "title_en": "Backup disk full",
        "steps_id": """Lihat galat pencadangan di insiden: "no space left on device" atau repositori tidak dapat ditulis.
Periksa ruang disk cadangan; jalankan aturan retensi (forget --prune) untuk membuang snapshot lama sesuai kebijakan.
Bila tetap penuh: pindahkan ke disk yang lebih besar atau tambah media (hard disk eksternal); ajukan pembelian ke Subbag Umum (tingkat 2).
Jalankan pencadangan lagi dan pastikan pemeriksaan repositori berhasil.
Jangan menghapus snapshot terakhir yang terverifikasi.""",
        "steps_en": """Read the backup error on the incident: "no space left on device" or the repository cannot be written.
Check the backup disk's space; run the retention rules (forget --prune) to drop old snapshots as the policy says.
If it is still full: move to a larger disk or add media (external hard disk); ask General Affairs to buy it (tier 2).
Run the backup again and make sure the repository check succeeds.
Never delete the last verified snapshot.""",
    },
    {
        "slug": "cms-admin-compromised",
        "kinds": ["integrity", "traffic_detection"],
        "title_id": "Akun admin CMS dibobol",
        "title_en": "CMS admin account compromised",
        "steps_id": """Tanda: admin baru yang tidak dikenal, kata sandi tidak lagi berlaku, konten berubah tanpa sepengetahuan, banyak login gagal.
Kunci segera: nonaktifkan akun yang mencurigakan, ganti semua kata sandi admin, keluarkan semua sesi.
Aktifkan verifikasi dua langkah untuk admin CMS dan batasi halaman login (alamat IP kantor, pembatasan percobaan).
Periksa log akses (aktivitas pengunjung di Jaga) untuk alamat IP penyerang; blokir.
Periksa perubahan konten dan berkas sejak waktu pembobolan; pulihkan dari cadangan bila perlu.
Laporkan ke Kasubbag PTIP; libatkan pengembang (tingkat 3) bila celahnya di kode.""",
        "steps_en": """Signs: a new unknown admin, passwords that no longer work, content changed without anyone knowing, many failed logins.
Lock it down now: disable suspicious accounts, change every admin password, end every session.
Turn on two-factor authentication for CMS admins and restrict the login page (office IP addresses, attempt limits).
Read the access logs (visitor activity in Jaga) for the attacker's addresses; block them.
Review content and file changes since the break-in; restore from backup where needed.
Report to the Head of Planning, IT and Reporting; involve the developer (tier 3) if the hole is in the code.""",
    },
]
