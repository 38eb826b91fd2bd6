def test_reference_data_loads_all_regions(reference_data):
    from programs.models import Kecamatan, Kelurahan

    assert Kecamatan.objects.count() == 15
    assert Kelurahan.objects.count() == 153
