"""Word lists of Makassar for demo data: names, occupations, streets, employers by sector.

Javanese and other Indonesian names come from Faker's ``id_ID`` person provider (its tuples only; every choice is
made by the generator's own ``random.Random``). A few names carry an apostrophe (Ma'ruf, Nur'aini, Siri' Na Pacce)
so that escaping in CSV, HTML and PDF gets exercised.
"""

from dataclasses import dataclass

from faker.providers.person.id_ID import Provider as IndonesianNames

from enrollment.models import Employer

MUSLIM = "MUSLIM"
CHRISTIAN = "CHRISTIAN"

# Bugis and Makassar Muslim given names.
BUGIS_MAKASSAR_MALE = (
    "Muhammad", "Muh.", "Ahmad", "Abdul", "Baso", "Baharuddin", "Hasanuddin", "Jamaluddin",
    "Kamaruddin", "Syamsuddin", "Syahrir", "Syarifuddin", "Saharuddin", "Najamuddin", "Zainuddin",
    "Haeruddin", "Hamzah", "Ismail", "Ilham", "Irfan", "Irwan", "Ridwan", "Rusdi", "Rusli", "Asrul",
    "Aswar", "Akbar", "Arifin", "Fadli", "Firman", "Hasbi", "Jufri", "Kaharuddin", "Mansyur",
    "Mustari", "Nasrullah", "Nurdin", "Rahmat", "Ramli", "Saiful", "Salahuddin", "Sudirman",
    "Syamsul", "Taufik", "Usman", "Yusuf", "Zulkifli", "Amiruddin", "Agussalim", "Awaluddin",
    "Darwis", "Halim", "Idris", "Ma'ruf", "Mas'ud", "Ja'far", "Muhlis", "Nursalam", "Rizal",
    "Sahabuddin", "Yunus", "Anwar", "Alimuddin", "Sappe", "Lukman", "Haris",
)  # fmt: skip
BUGIS_MAKASSAR_MALE_SECOND = (
    "Rahman", "Arief", "Amir", "Basri", "Hamid", "Said", "Malik", "Syam", "Latif", "Ramadhan",
    "Saleh", "Hakim", "Anshar", "Azis", "Jalil", "Karim", "Tahir", "Nur", "Ali", "Mappiasse",
    "Lamba", "Mattola", "Rasyid", "Sanusi",
)  # fmt: skip
BUGIS_MAKASSAR_FEMALE = (
    "Nurhayati", "Hasnah", "Hasnawati", "Hasmiah", "Rosmini", "Rosdiana", "Marlina", "Nurjannah",
    "Nurhaedah", "Nurul", "Nurfadillah", "Irmawati", "Ismawati", "Haerani", "Hasriani", "Herlina",
    "Fitriani", "Rahmawati", "Aisyah", "Fatimah", "Khadijah", "Nur'aini", "Mu'minah", "Ma'rifah",
    "Syamsiah", "Suriani", "Sumarni", "Darmawati", "Hadijah", "Husnul", "Kartini", "Mardiana",
    "Nurlina", "Nuraeni", "Rahmatia", "Risnawati", "Satriani", "Sukmawati", "Wahida", "Yusnita",
    "Zulaeha", "Becce", "Hasmawati", "Nurbaya", "Jumriani", "Asriani",
)  # fmt: skip
BUGIS_MAKASSAR_FEMALE_SECOND = (
    "Aminah", "Amalia", "Azizah", "Rahmi", "Sari", "Hasanah", "Ramadhani", "Safitri", "Wulandari",
    "Nur", "Syam", "Basri",
)  # fmt: skip
# Makassar ``daeng`` names (paddaengang), written "Dg. Tompo".
DAENG_NAMES = (
    "Tompo", "Ngai", "Bau", "Sija", "Rowa", "Sikki", "Tayang", "Nompo", "Bella", "Ngalle", "Kebo",
    "Lallo", "Nai", "Lira", "Sau", "Sitaba", "Ngintang", "Tata", "Nyampa", "Rate", "Baji", "Situju",
    "Kanang", "Sanga", "Caya", "Ngasseng", "Te'ne", "Ngopa",
)  # fmt: skip

CHRISTIAN_MALE = (
    "Yohanis", "Yohanes", "Markus", "Daniel", "Samuel", "Stefanus", "Petrus", "Paulus", "Yakobus",
    "Benyamin", "Marthen", "Agustinus", "Fransiskus", "Yosef", "Matius", "Lukas", "Timotius",
    "Yulius", "Alfred", "Hendrik", "Melki", "Simon",
)  # fmt: skip
CHRISTIAN_FEMALE = (
    "Maria", "Marta", "Yuliana", "Ester", "Debora", "Selvi", "Novita", "Rut", "Magdalena",
    "Elisabet", "Kristina", "Yohana", "Agustina", "Theresia", "Veronika", "Natalia", "Lidia",
    "Priska", "Sarlota", "Dorkas",
)  # fmt: skip
# Toraja and Minahasa family names, common among Makassar's Christians.
CHRISTIAN_FAMILY_NAMES = (
    "Pasang", "Tandirerung", "Rantetana", "Palinggi", "Sampe", "Paembonan", "Sarungallo",
    "Kombong", "Pakiding", "Tangkelangi", "Allo", "Patandianan", "Sumule", "Tandilino",
    "Pongsapan", "Parinding", "Tangdilintin", "Mangontan", "Limbong", "Tandiarrang", "Ruru",
    "Toding", "Wowor", "Rumengan", "Lumintang", "Sondakh", "Pangemanan", "Tumbelaka",
)  # fmt: skip
CHINESE_INDONESIAN_GIVEN = (
    "Hendra", "Andreas", "Lily", "Liliana", "Stevanus", "Kevin", "Jessica", "Michael", "Vivian",
    "Yenny", "Hengky", "Fenny", "Ricky", "Melinda", "Wilson", "Jonathan",
)  # fmt: skip
CHINESE_INDONESIAN_FAMILY = (
    "Wijaya", "Halim", "Gunawan", "Santoso", "Tanuwijaya", "Kurniawan", "Susanto", "Hartono",
    "Setiawan", "Tjandra", "Lim", "Tanzil",
)  # fmt: skip

JAVANESE_MALE = IndonesianNames.first_names_male
JAVANESE_FEMALE = IndonesianNames.first_names_female
JAVANESE_FAMILY_MALE = IndonesianNames.last_names_male
JAVANESE_FAMILY_FEMALE = IndonesianNames.last_names_female

# Streets of Makassar; one carries an apostrophe like the kelurahan it runs through.
STREETS = (
    "Perintis Kemerdekaan", "Urip Sumoharjo", "A.P. Pettarani", "Sultan Alauddin",
    "Veteran Selatan", "Veteran Utara", "Gunung Bawakaraeng", "Cenderawasih", "Sungai Saddang",
    "Landak Baru", "Abdullah Dg. Sirua", "Hertasning", "Tamalate", "Daeng Tata", "Kakatua",
    "Rappocini Raya", "Boulevard", "Pengayoman", "Toddopuli Raya", "Antang Raya", "Kima Raya",
    "Pannampu", "Barukang", "Tinumbu", "Galangan Kapal", "Somba Opu", "Penghibur", "Datu Museng",
    "Sam Ratulangi", "Mappaodang", "Kumala", "Onta Lama", "Nuri Baru", "Bontolangkasa",
    "Pa'baeng-Baeng", "Andi Tonro", "Monginsidi", "Sunu", "Tallo Baru", "Pampang Raya",
    "Batua Raya", "Manuruki", "Dg. Ramang", "Tamalanrea Raya", "Lasinrang", "Racing Centre",
)  # fmt: skip


@dataclass(frozen=True)
class Occupation:
    title: str
    weight: float
    male_share: float
    religion: str | None = None  # religious workers: the faith they serve


INFORMAL_OCCUPATIONS = (
    Occupation("Pengemudi ojek online", 14, 0.95),
    Occupation("Pengemudi ojek pangkalan", 6, 0.97),
    Occupation("Pedagang kaki lima", 16, 0.55),
    Occupation("Pedagang pasar", 10, 0.45),
    Occupation("Nelayan", 7, 0.97),
    Occupation("Buruh harian lepas", 12, 0.8),
    Occupation("Pekerja warung", 8, 0.35),
    Occupation("Asisten rumah tangga", 7, 0.08),
    Occupation("Juru parkir", 6, 0.9),
    Occupation("Buruh pelabuhan", 4, 0.98),
    Occupation("Pengemudi becak", 3, 0.98),
    Occupation("Sopir pete-pete", 3, 0.97),
    Occupation("Tukang bangunan", 5, 0.98),
    Occupation("Penjahit", 3, 0.35),
    Occupation("Buruh cuci", 3, 0.1),
    Occupation("Pemulung", 2, 0.6),
)

PUBLIC_SERVICE_OCCUPATIONS = {
    "NON_ASN": (
        Occupation("Tenaga kontrak kelurahan", 6, 0.5),
        Occupation("Petugas kebersihan Dinas Lingkungan Hidup", 5, 0.7),
        Occupation("Tenaga kontrak Satpol PP", 3, 0.85),
        Occupation("Staf honorer dinas", 5, 0.45),
        Occupation("Guru honorer", 4, 0.3),
        Occupation("Tenaga kesehatan honorer puskesmas", 3, 0.25),
        Occupation("Petugas pemadam kebakaran non-ASN", 1, 0.95),
        Occupation("Penjaga sekolah", 1, 0.9),
    ),
    "RT_RW": (
        Occupation("Ketua RT", 5, 0.85),
        Occupation("Ketua RW", 1, 0.9),
    ),
    "KADER": (
        Occupation("Kader posyandu", 5, 0.03),
        Occupation("Kader KB", 1, 0.1),
    ),
    "KEAGAMAAN": (
        Occupation("Imam masjid", 4, 1.0, MUSLIM),
        Occupation("Marbot masjid", 3, 0.95, MUSLIM),
        Occupation("Guru mengaji", 4, 0.5, MUSLIM),
        Occupation("Pengurus gereja", 1, 0.5, CHRISTIAN),
    ),
}


@dataclass(frozen=True)
class SectorProfile:
    weight: float
    risk_classes: tuple[int, ...]  # JKK risk classes that fit the sector, drawn uniformly
    median_wage: int
    legal_forms: tuple[tuple[str, float], ...]
    words: tuple[str, ...]  # the trade word in an employer's name
    jobs: tuple[str, ...]


_COMPANY = (("PT", 6), ("CV", 3), ("UD", 1))
SECTORS = {
    Employer.Sector.TRADE: SectorProfile(
        30, (1, 1, 2), 4_000_000, (("PT", 4), ("CV", 3), ("UD", 3), ("Koperasi", 0.5)),
        ("Niaga", "Dagang", "Swalayan", "Distributor", "Retail"),
        ("Pramuniaga", "Kasir", "Staf gudang", "Sales", "Supervisor toko", "Staf administrasi"),
    ),
    Employer.Sector.SERVICES: SectorProfile(
        14, (1, 2, 2), 4_000_000, _COMPANY,
        ("Jasa", "Laundry", "Servis", "Keamanan", "Kebersihan"),
        ("Satpam", "Petugas kebersihan", "Staf administrasi", "Montir", "Teknisi"),
    ),
    Employer.Sector.ACCOMMODATION: SectorProfile(
        12, (1, 2), 3_900_000, _COMPANY,
        ("Hotel", "Resto", "Kuliner", "Catering", "Kafe"),
        ("Juru masak", "Pramusaji", "Resepsionis", "Housekeeping", "Barista"),
    ),
    Employer.Sector.CONSTRUCTION: SectorProfile(
        8, (4, 5, 5), 4_800_000, (("PT", 6), ("CV", 4)),
        ("Konstruksi", "Bangun Persada", "Karya Beton", "Kontraktor"),
        ("Tukang las", "Mandor", "Pekerja proyek", "Drafter", "Operator alat berat"),
    ),
    Employer.Sector.MANUFACTURING: SectorProfile(
        8, (2, 3, 3, 4), 4_500_000, _COMPANY,
        ("Industri", "Pangan", "Plastik", "Manufaktur", "Percetakan"),
        ("Operator produksi", "Teknisi mesin", "Quality control", "Staf gudang", "Supervisor"),
    ),
    Employer.Sector.TRANSPORT: SectorProfile(
        8, (3, 4), 4_600_000, (("PT", 7), ("CV", 3)),
        ("Logistik", "Ekspedisi", "Transportasi", "Pelayaran", "Kargo"),
        ("Pengemudi", "Kurir", "Staf logistik", "Operator forklift", "Anak buah kapal"),
    ),
    Employer.Sector.EDUCATION: SectorProfile(
        6, (1,), 4_200_000, (("Yayasan", 8), ("PT", 2)),
        ("Pendidikan", "Pendidikan Islam", "Pendidikan Kristen", "Bimbingan Belajar"),
        ("Guru", "Dosen", "Staf tata usaha", "Pustakawan"),
    ),
    Employer.Sector.HEALTH: SectorProfile(
        5, (2, 2, 3), 5_500_000, (("PT", 4), ("Yayasan", 3), ("CV", 1)),
        ("Klinik", "Rumah Sakit", "Apotek", "Laboratorium Klinik"),
        ("Perawat", "Bidan", "Apoteker", "Analis laboratorium", "Staf administrasi"),
    ),
    Employer.Sector.FINANCE: SectorProfile(
        4, (1,), 7_500_000, (("PT", 6), ("Koperasi", 4)),
        ("Finance", "Simpan Pinjam", "Pegadaian Swasta", "Asuransi"),
        ("Teller", "Customer service", "Analis kredit", "Staf akuntansi", "Kolektor"),
    ),
    Employer.Sector.INFORMATION: SectorProfile(
        3, (1,), 7_000_000, (("PT", 8), ("CV", 2)),
        ("Teknologi", "Digital", "Media", "Solusi Informatika"),
        ("Programmer", "Teknisi jaringan", "Desainer grafis", "Staf IT", "Jurnalis"),
    ),
    Employer.Sector.FISHERIES: SectorProfile(
        1.5, (4, 5), 4_000_000, (("PT", 4), ("CV", 3), ("UD", 3)),
        ("Perikanan", "Hasil Laut", "Bahari", "Cold Storage"),
        ("Anak buah kapal", "Staf pengolahan ikan", "Operator cold storage", "Nelayan"),
    ),
    Employer.Sector.UTILITIES: SectorProfile(
        0.5, (3, 4), 6_500_000, (("PT", 9), ("Koperasi", 1)),
        ("Energi", "Tirta", "Listrik", "Gas"),
        ("Teknisi listrik", "Petugas pencatat meter", "Operator instalasi air", "Staf administrasi"),
    ),
}  # fmt: skip

# Words of an employer's name: generic, then Makassar and Bugis places and values.
NAME_WORDS = (
    "Sinar", "Cahaya", "Mitra", "Karya", "Maju", "Jaya", "Abadi", "Sejahtera", "Mandiri", "Utama",
    "Sentosa", "Prima", "Berkah", "Amanah", "Harapan", "Bintang", "Timur", "Nusantara", "Perkasa",
    "Makmur", "Sukses", "Indah", "Baru", "Sumber", "Rezeki",
)  # fmt: skip
PLACE_WORDS = (
    "Losari", "Mamiri", "Anging Mammiri", "Somba Opu", "Karebosi", "Paotere", "Lontara", "Phinisi",
    "Celebes", "Sulawesi", "Butta Makassar", "Sipakatau", "Sipakainga", "Sipakalebbi", "Ewako",
    "Resopa", "Toddopuli", "Siri' Na Pacce", "Tamalanrea", "Sombere", "Karaeng", "Tallo",
    "Pannampu", "Bontoala",
)  # fmt: skip
